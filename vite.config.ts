import {defineConfig} from 'vite';

/**
 * Cross-origin isolation (COOP/COEP) unlocks SharedArrayBuffer, which the
 * threaded wasm backend needs. Every asset is same-origin, so require-corp
 * costs nothing.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
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

export default defineConfig(({mode}) => ({
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
          // The elements alone, for embedding in course sites.
          lib: {entry: 'src/index.ts', formats: ['es'], fileName: 'transfer-lab'},
          outDir: 'dist/lib',
          ...minify,
        }
      : {target: 'es2022', ...minify},
}));
