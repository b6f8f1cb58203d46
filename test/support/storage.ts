import {executeServerCommand} from '@web/test-runner-commands';

/**
 * Forgets what an earlier test kept for "the next visit" (the dataset, the
 * head, the checkpoints, the webcam's frames), so a page test starts as a
 * first visit. Tests share the browser's IndexedDB; the weights and feature
 * caches may stay (they are keyed by content). The worker's stores close their
 * connection when another context deletes their database, so a worker still
 * running does not hold it up.
 */
export async function forgetLastVisit(): Promise<void> {
  localStorage.clear();
  await Promise.all(
    ['transfer-lab-datasets', 'transfer-lab-heads', 'transfer-lab-checkpoints', 'transfer-lab-webcam'].map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
          // Blocked by a worker of the last test that is still closing: it goes when that ends.
          request.onblocked = () => setTimeout(resolve, 2000);
        }),
    ),
  );
}

/** Clears this origin's IndexedDB as "Delete browsing data" does: open connections are closed under whatever runs. */
export async function clearSiteStorage(): Promise<void> {
  await executeServerCommand('clear-site-storage', {storageTypes: 'indexeddb'});
}

/** Sets this origin's storage quota in bytes (writes past it fail with the real QuotaExceededError); no argument: the browser's own. */
export async function setStorageQuota(quotaSize?: number): Promise<void> {
  await executeServerCommand('set-storage-quota', quotaSize === undefined ? {} : {quotaSize});
}

/**
 * Leaves this origin `bytesLeft` bytes of room, and waits until IndexedDB
 * enforces it: Chromium's IndexedDB reads the quota again only every few
 * seconds (seen: 10–20 s), so a write too big for the room is tried until it
 * fails. Undo with `setStorageQuota()`.
 */
export async function leaveStorageRoom(bytesLeft: number, timeoutMs = 60_000): Promise<void> {
  // estimate()'s usage is real; its quota figure is a fixed decoy in Chromium.
  const {usage = 0} = await navigator.storage.estimate();
  await setStorageQuota(usage + bytesLeft);
  const name = `tl-quota-probe-${crypto.randomUUID()}`;
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => request.result.createObjectStore('probe');
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tooBig = randomBytes(bytesLeft + 1024 * 1024);
  try {
    for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 1000))) {
      const tx = db.transaction('probe', 'readwrite');
      tx.objectStore('probe').put(tooBig, 'probe');
      const outcome = await new Promise<string>((resolve) => {
        tx.oncomplete = () => resolve('stored');
        tx.onabort = () => resolve(tx.error?.name ?? 'aborted');
      });
      if (outcome === 'QuotaExceededError') return;
    }
    throw new Error(`IndexedDB did not enforce a quota of ${bytesLeft} free bytes within ${timeoutMs / 1000} s`);
  } finally {
    db.close();
    indexedDB.deleteDatabase(name);
  }
}

/** Random bytes: Chromium compresses what IndexedDB stores, so only noise takes its full size. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}
