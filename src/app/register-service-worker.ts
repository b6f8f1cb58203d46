/// <reference types="vite-plugin-pwa/vanillajs" />
import {registerSW} from 'virtual:pwa-register';
import {pageOffline} from '../lab/offline.ts';

/**
 * The app's service worker (vite-plugin-pwa, Workbox; configured in
 * vite.config.ts), for the app alone: the library never imports this, so a
 * course page that embeds the elements keeps its own scope.
 *
 * 'prompt', not 'autoUpdate': autoUpdate lets a new version take over and
 * reloads every open tab at once, which would cut a training run short. Here
 * a new version waits until the user presses "Reload to update", which the
 * page offers only while nothing runs; another tab that lets it take over
 * does not reload this one (this page says so instead).
 */
export function registerServiceWorker(): void {
  if (import.meta.env.DEV) {
    pageOffline.unavailable('not-offered', 'the dev server (npm start) installs no service worker: build the app (npm run build) and serve dist/app for the offline copy');
    return;
  }
  if (!('serviceWorker' in navigator)) {
    pageOffline.unavailable('unsupported', 'this browser allows no service worker here (a private window, or a page not served over HTTPS)');
    return;
  }
  let updating = false;
  const update = registerSW({
    onRegisteredSW: (_url, registration) => {
      if (registration) pageOffline.attach(registration, async () => {
        updating = true;
        await update();
      });
    },
    onRegisterError: (err: unknown) => pageOffline.unavailable('failed', `the service worker could not be registered (${(err as Error)?.name}: ${(err as Error)?.message})`),
    onOfflineReady: () => pageOffline.sync(),
    onNeedRefresh: () => pageOffline.newVersionWaiting(),
    // The new version took over: reload if this page asked for it; if another tab did, only say so.
    onNeedReload: () => (updating ? location.reload() : pageOffline.tookOverElsewhere()),
  });
}
