import type {WorkerCall, WorkerCalls, WorkerReply} from './bench-protocol.ts';

/** A measuring job ran past its time limit: its worker was ended. */
export class OverBudgetError extends Error {
  override name = 'OverBudgetError';
}

/**
 * The page's handle on one measuring worker (ours or stock tfjs): calls
 * answered by id, each with a time limit past which the worker is ended —
 * a SwiftShader kernel cannot be interrupted any other way, and the bench
 * must never hang.
 */
export class BenchWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, {resolve: (value: unknown) => void; reject: (err: Error) => void}>();
  #nextId = 0;
  #ended: Error | null = null;

  constructor(kind: 'ours' | 'stock', name: string) {
    // Two literal URLs, so that Vite sees and bundles both workers.
    this.#worker =
      kind === 'ours'
        ? new Worker(new URL('./ours.worker.ts', import.meta.url), {type: 'module', name})
        : new Worker(new URL('./stock-tfjs.worker.ts', import.meta.url), {type: 'module', name});
    this.#worker.onmessage = ({data}: MessageEvent<WorkerReply>) => {
      const waiting = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (!waiting) return;
      if ('error' in data) waiting.reject(Object.assign(new Error(data.error.message), {name: data.error.name}));
      else waiting.resolve(data.result);
    };
    this.#worker.onerror = (event) => this.#end(new Error(`the ${kind} worker failed: ${event.message || 'it did not load'}`));
  }

  call<C extends WorkerCall>(call: C, arg: WorkerCalls[C][0], timeoutMs: number, transfer: Transferable[] = []): Promise<WorkerCalls[C][1]> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise<WorkerCalls[C][1]>((resolve, reject) => {
      const timer = setTimeout(() => this.#end(new OverBudgetError(`"${call}" ran past ${Math.round(timeoutMs / 1000)} s; the worker was ended`)), timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as WorkerCalls[C][1]);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.#worker.postMessage({id, call, arg}, transfer);
    });
  }

  dispose(): void {
    this.#end(new Error('disposed'));
  }

  #end(reason: Error): void {
    if (this.#ended) return;
    this.#ended = reason;
    this.#worker.terminate();
    for (const {reject} of this.#pending.values()) reject(reason);
    this.#pending.clear();
  }
}
