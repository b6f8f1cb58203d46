/**
 * Forgets what an earlier test kept for "the next visit" (the dataset, the
 * head, the checkpoints), so a page test starts as a first visit. Tests share
 * the browser's IndexedDB; the weights and feature caches may stay (they are
 * keyed by content). The worker's stores close their connection when another
 * context deletes their database, so a worker still running does not hold it up.
 */
export async function forgetLastVisit(): Promise<void> {
  localStorage.clear();
  await Promise.all(
    ['transfer-lab-datasets', 'transfer-lab-heads', 'transfer-lab-checkpoints'].map(
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
