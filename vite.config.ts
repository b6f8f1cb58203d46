import {defineConfig} from 'vite';
import {VitePWA} from 'vite-plugin-pwa';
import {WEIGHTS_OFFLINE_CACHE, WEIGHTS_OFFLINE_PATH} from './src/shared/offline.ts';

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
 * The app's service worker (Workbox, through vite-plugin-pwa), for the app
 * build only: the library is embedded in course pages and must never take
 * over a course site's scope. The dev server installs none (devOptions off).
 *
 * Precached (saved at install, so the app opens offline): the page, every
 * script (the trainer worker and its chunks, h5wasm's for dropped .h5
 * files), the three tfjs wasm binaries, and the demo's backbone and zip:
 * about 13 MB. `maximumFileSizeToCacheInBytes` is raised from Workbox's
 * 2 MiB, which would skip the 2.6 MB worker, the 3.7 MB demo shard and the
 * 4.9 MB h5wasm chunk with only a warning, to 6 MiB: room for those, and a
 * limit that still stops a file that should never be in the app shell.
 * ImageNet VGG16 (`models/vgg16/*`, 58 MB in 4 MiB shards, under that limit)
 * is left out by the patterns instead, and cached at run time (CacheFirst)
 * when it is first loaded, so nobody downloads 58 MB they may not use.
 *
 * 'prompt' registration: see src/app/register-service-worker.ts. Responses
 * are stored with their headers, so a page served from the cache keeps
 * COOP/COEP and Document-Isolation-Policy, and with them its isolation.
 */
const serviceWorker = VitePWA({
  registerType: 'prompt',
  injectRegister: false,
  manifest: false,
  filename: 'sw.js',
  devOptions: {enabled: false},
  workbox: {
    globPatterns: ['index.html', 'assets/*.{js,css,wasm}', 'demo/backbone/model.json', 'demo/backbone/*.bin', 'demo/*.zip'],
    globIgnores: [`${WEIGHTS_OFFLINE_PATH}**`],
    maximumFileSizeToCacheInBytes: 6 * 1024 * 1024,
    // The first visit's page is controlled at once, so the weights it loads reach the runtime cache.
    clientsClaim: true,
    cleanupOutdatedCaches: true,
    // Navigations are answered from the precache (index.html, and ./ by Workbox's directoryIndex);
    // no catch-all fallback, which would answer every other page in the scope with the app.
    navigateFallback: null,
    runtimeCaching: [
      {
        // Same-origin only: Workbox matches a RegExp against another origin only from the URL's start.
        urlPattern: new RegExp(`/${WEIGHTS_OFFLINE_PATH}`),
        handler: 'CacheFirst',
        options: {cacheName: WEIGHTS_OFFLINE_CACHE, cacheableResponse: {statuses: [200]}},
      },
    ],
  },
});

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
  plugins: mode === 'lib' ? [] : [serviceWorker],
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
