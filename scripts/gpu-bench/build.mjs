// Bundles bench.mjs with the project's TypeScript (and tfjs from the repository's node_modules) into one file.
import {build} from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  // dawn.node is loaded at run time from node_modules/webgpu beside the bundle.
  external: ['webgpu'],
  logLevel: 'warning',
  banner: {js: "import {createRequire as __createRequire} from 'module'; const require = __createRequire(import.meta.url);"},
  plugins: [
    {
      // Vite's `?url` imports (the wasm binaries' URLs in workers/runtime/backends.ts): unused here.
      name: 'vite-url-imports',
      setup(b) {
        b.onResolve({filter: /\?url$/}, (args) => ({path: args.path, namespace: 'vite-url'}));
        b.onLoad({filter: /.*/, namespace: 'vite-url'}, () => ({contents: 'export default "";', loader: 'js'}));
      },
    },
  ],
});
