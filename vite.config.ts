import {defineConfig} from 'vite';

/**
 * Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer, which the
 * threaded wasm backend needs. Every asset is same-origin, so require-corp
 * costs nothing. Document-Isolation-Policy does the same for this document
 * alone where the browser has it (Chromium), so the app keeps its threads
 * in a course page's iframe that is not isolated itself.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Document-Isolation-Policy': 'isolate-and-require-corp',
};

/**
 * Threaded wasm broke under Vite 8's default minifier (`e is not defined` in
 * its helper threads, then setBackend('wasm') hung: tfjs#4107). Terser
 * without the `typeofs` rewrite keeps it working.
 */
const minify = {
  minify: 'terser' as const,
  terserOptions: {compress: {typeofs: false}},
};

/**
 * Two builds, both with a relative base, so every file (the worker, the
 * three .wasm binaries, the demo) is found next to the script that asks for
 * it (`new URL(…, import.meta.url)`) and the output works from any path or CDN:
 * - the app (dist/app/): index.html with <tl-playground>;
 * - the library (`--mode lib`, dist/lib/): transfer-lab.js, which
 *   a course page loads with one module script. Not Vite's `build.lib`: that
 *   inlines every asset as base64 (4 MB of wasm inside the worker).
 */
export default defineConfig(({mode}) => ({
  base: './',
  server: {headers: isolationHeaders},
  preview: {headers: isolationHeaders},
  worker: {format: 'es'},
  optimizeDeps: {
    // Scan the worker up front: a dependency discovered late makes Vite
    // re-optimise mid-session and answer 504 to modules already loading.
    entries: ['index.html', 'workers/**/*.ts'],
  },
  build:
    mode === 'lib'
      ? {
          target: 'es2022',
          outDir: 'dist/lib',
          ...minify,
          rolldownOptions: {
            input: 'src/index.ts',
            // Keep the entry's exports: pages import the elements' classes and the Lab from it.
            preserveEntrySignatures: 'strict' as const,
            output: {entryFileNames: 'transfer-lab.js'},
          },
        }
      : {target: 'es2022', outDir: 'dist/app', ...minify},
}));
