import * as tf from '@tensorflow/tfjs';
import {setThreadsCount} from '@tensorflow/tfjs-backend-wasm';

/**
 * How many threads the wasm backend may use here, decided before it starts.
 * Threads need shared memory (a cross-origin isolated context) and helper
 * workers, which tfjs starts from blob: URLs and which load blob: scripts:
 * a Content-Security-Policy without `blob:` blocks them, and the threaded
 * build then hangs or crashes. So a helper like them is tried first, and
 * when it cannot start the single-threaded build is chosen, with the reason
 * kept for the UI.
 */
export interface WasmThreadPlan {
  /** Threads to start with; 1 means the single-threaded build (no helper workers at all). */
  threads: number;
  /** Why, as a whole sentence ("one thread: …", "2 threads: …"). */
  reason: string;
}

/** tfjs-backend-wasm's threaded build starts 8 helper workers (PTHREAD_POOL_SIZE=8): its most threads. */
export const WASM_MAX_THREADS = 8;

const BLOB_WORKER_TIMEOUT_MS = 3000;

let plan: Promise<WasmThreadPlan> | null = null;

/** Decides once per worker, and sets tfjs's flag to match. */
export function planWasmThreads(): Promise<WasmThreadPlan> {
  plan ??= decide().then((decided) => {
    if (decided.threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return decided;
  });
  return plan;
}

/** After a threaded start hung: the next start uses one thread, and says why. */
export function dropWasmThreads(reason: string): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  plan = Promise.resolve({threads: 1, reason});
}

async function decide(): Promise<WasmThreadPlan> {
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') {
    return {
      threads: 1,
      reason:
        'one thread: this page is not cross-origin isolated (it needs COOP/COEP headers, Document-Isolation-Policy, or an iframe with allow="cross-origin-isolated"), so wasm cannot share memory with helper threads',
    };
  }
  const cores = navigator.hardwareConcurrency || 1;
  if (cores === 1) return {threads: 1, reason: 'one thread: the browser reports one logical core'};
  const blocked = await blobWorkerProblem();
  if (blocked) return {threads: 1, reason: `one thread: ${blocked}`};
  if (cores > WASM_MAX_THREADS) {
    return {threads: WASM_MAX_THREADS, reason: `${WASM_MAX_THREADS} threads: the most tfjs's threaded build has helper workers for (the browser reports ${cores} logical cores)`};
  }
  return {threads: cores, reason: `${cores} threads: one per logical core the browser reports`};
}

/**
 * Starts the wasm backend (`start` calls tf.setBackend) with `threads`
 * threads. setThreadsCount alone cannot give every core: tfjs-backend-wasm
 * 4.22's compiled code caps the pool at navigator.hardwareConcurrency / 2
 * ("Many x86-64 processors have 2 threads per core", tfjs-backend-wasm/src/cc/backend.cc),
 * read once, when the module is instantiated. So while it starts, this
 * worker's navigator reports twice the count, and then its own value again.
 */
export async function startWasmWithThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  setThreadsCount(threads);
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', {value: threads * 2, configurable: true});
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else delete (navigator as unknown as Record<string, unknown>)['hardwareConcurrency'];
  }
}

/**
 * Why wasm's helper threads cannot start here, or null when they can. They
 * are blob: workers that `importScripts` another blob: URL, so both
 * `worker-src` and `script-src` must allow blob:. The probe does just that
 * and answers; a blocked one fails within milliseconds. (Where only
 * `worker-src` blocks them, tfjs's threaded build waits for them forever;
 * where only `script-src` does, it throws "Uncaught [object ErrorEvent]".)
 */
async function blobWorkerProblem(): Promise<string | null> {
  const urls: string[] = [];
  let worker: Worker | null = null;
  try {
    const inner = URL.createObjectURL(new Blob([''], {type: 'text/javascript'}));
    urls.push(inner);
    const outer = URL.createObjectURL(
      new Blob([`try { importScripts(${JSON.stringify(inner)}); postMessage('ok'); } catch (e) { postMessage(String(e)); }`], {type: 'text/javascript'}),
    );
    urls.push(outer);
    const probe = new Worker(outer);
    worker = probe;
    return await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`a blob: worker did not answer within ${BLOB_WORKER_TIMEOUT_MS / 1000} s`), BLOB_WORKER_TIMEOUT_MS);
      probe.onmessage = ({data}) => {
        clearTimeout(timer);
        resolve(data === 'ok' ? null : "the page's Content-Security-Policy blocks the blob: scripts that wasm threads load (script-src)");
      };
      probe.onerror = (event) => {
        event.preventDefault();
        clearTimeout(timer);
        resolve("the page's Content-Security-Policy blocks the blob: workers that wasm threads start from (worker-src)");
      };
    });
  } catch (err) {
    return `blob: workers cannot start here (${(err as Error).name}: ${(err as Error).message})`;
  } finally {
    worker?.terminate();
    for (const url of urls) URL.revokeObjectURL(url);
  }
}
