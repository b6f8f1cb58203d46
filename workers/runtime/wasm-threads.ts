import * as tf from '@tensorflow/tfjs';

/**
 * How many threads the wasm backend may use here, decided before it starts.
 * Threads need shared memory (a cross-origin isolated context) and helper
 * workers, which tfjs starts from blob: URLs: a Content-Security-Policy
 * without `blob:` in worker-src blocks them, and the threaded build then
 * never finishes starting (it waits for helpers that never come). So the
 * blob: worker is tried first, and when it cannot start the single-threaded
 * build is chosen, with the reason kept for the UI.
 */
export interface WasmThreadPlan {
  threads: boolean;
  reason: string;
}

const BLOB_WORKER_TIMEOUT_MS = 3000;

let plan: Promise<WasmThreadPlan> | null = null;

/** Decides once per worker, and sets tfjs's flag to match. */
export function planWasmThreads(): Promise<WasmThreadPlan> {
  plan ??= decide().then((decided) => {
    if (!decided.threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return decided;
  });
  return plan;
}

/** After a threaded start hung: the next start uses one thread, and says why. */
export function dropWasmThreads(reason: string): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  plan = Promise.resolve({threads: false, reason});
}

async function decide(): Promise<WasmThreadPlan> {
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') {
    return {
      threads: false,
      reason:
        'one thread: this page is not cross-origin isolated (it needs COOP/COEP headers, Document-Isolation-Policy, or an iframe with allow="cross-origin-isolated"), so wasm cannot share memory with helper threads',
    };
  }
  const blocked = await blobWorkerProblem();
  if (blocked) return {threads: false, reason: `one thread: ${blocked}`};
  return {threads: true, reason: `threads: tfjs uses half of the ${navigator.hardwareConcurrency} logical cores`};
}

/** Why a blob: worker cannot start here, or null when it can (it answers a message). */
async function blobWorkerProblem(): Promise<string | null> {
  let url: string | null = null;
  let worker: Worker | null = null;
  try {
    url = URL.createObjectURL(new Blob(['postMessage(1)'], {type: 'text/javascript'}));
    const probe = new Worker(url);
    worker = probe;
    return await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`a blob: worker did not answer within ${BLOB_WORKER_TIMEOUT_MS / 1000} s`), BLOB_WORKER_TIMEOUT_MS);
      probe.onmessage = () => (clearTimeout(timer), resolve(null));
      probe.onerror = () => (clearTimeout(timer), resolve("the page's Content-Security-Policy blocks the blob: workers that wasm threads start from (worker-src)"));
    });
  } catch (err) {
    return `blob: workers cannot start here (${(err as Error).name}: ${(err as Error).message})`;
  } finally {
    worker?.terminate();
    if (url) URL.revokeObjectURL(url);
  }
}
