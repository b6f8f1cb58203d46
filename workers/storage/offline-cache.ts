import {WEIGHTS_OFFLINE_CACHE} from '../../src/shared/offline.ts';

/** One file of the service worker's weights cache. */
export interface OfflineFile {
  url: string;
  bytes: number;
}

/**
 * The files the app's service worker keeps in its weights cache (Cache
 * Storage, which a worker can read too). None where there is no service
 * worker (the dev server, a course page embedding the library) or where the
 * frame may not use storage.
 */
export async function offlineWeightFiles(): Promise<OfflineFile[]> {
  const cache = await openIfPresent();
  if (!cache) return [];
  const requests = await cache.keys();
  return Promise.all(
    requests.map(async (request) => {
      const response = await cache.match(request);
      return {url: request.url, bytes: response ? (await response.blob()).size : 0};
    }),
  );
}

/** Deletes these files from the weights cache; returns how many were there. */
export async function deleteOfflineWeightFiles(urls: readonly string[]): Promise<number> {
  const cache = await openIfPresent();
  if (!cache) return 0;
  const deleted = await Promise.all(urls.map((url) => cache.delete(url)));
  return deleted.filter(Boolean).length;
}

async function openIfPresent(): Promise<Cache | null> {
  try {
    // has() first: open() would create the cache where the app never made one.
    return (await globalThis.caches?.has(WEIGHTS_OFFLINE_CACHE)) ? await caches.open(WEIGHTS_OFFLINE_CACHE) : null;
  } catch {
    return null; // Cache Storage refused here (an opaque origin, storage blocked): nothing is kept in it either
  }
}
