/**
 * What the bench page and its measuring workers (ours.worker.ts,
 * stock-tfjs.worker.ts) say to each other, and the workers' message loop.
 * It imports nothing: the stock worker takes this and nothing else of the project.
 */

export type Backend = 'wasm' | 'webgl' | 'webgpu' | 'cpu';

/**
 * One measured job, the same for ours, stock tfjs and PyTorch:
 * - features: block5_pool of `batch` images already on the backend;
 * - step: one fine-tuning step on `batch` images (block5 + head trained, blocks 1–4 frozen);
 * - head: one epoch of the head on `train` cached feature maps (batch `batch`), then `validation` scored.
 */
export interface JobSpec {
  what: 'features' | 'step' | 'head';
  size: number;
  batch: number;
  train?: number;
  validation?: number;
}

export interface SetupResult {
  backend: Backend;
  /** The wasm backend's thread count (getThreadsCount), null on other backends. */
  threads: number | null;
  /** Why that many, where the project says. */
  threadsReason?: string;
  crossOriginIsolated: boolean;
  tfjs: string;
  /** Whether tfjs-backend-wasm has a Conv2DBackpropFilter here: only the project's kernels add one. */
  wasmConv2dBackpropFilter: boolean;
}

/** A kernel (by name, or by name and input shapes) over one profiled call. */
export interface KernelTime {
  kernel: string;
  shapes: string;
  calls: number;
  ms: number;
  share: number;
}

export interface ProfileResult {
  wallMs: number;
  kernelMs: number;
  byKernel: KernelTime[];
  /** By kernel and input shapes (≈ by layer), the slowest first. */
  byShape: KernelTime[];
}

export interface WorkerCalls {
  setup: [arg: {backend: Backend; bundle?: {specs: unknown[]; data: ArrayBuffer}}, result: SetupResult];
  /** Builds the job, runs it once untimed-as-a-sample; answers the warm-up's wall time. */
  prepare: [arg: JobSpec, result: {warmMs: number}];
  /** One timed run of the prepared job. */
  sample: [arg: null, result: {ms: number}];
  profile: [arg: null, result: ProfileResult];
}

export type WorkerCall = keyof WorkerCalls;
export type WorkerRequest = {[C in WorkerCall]: {id: number; call: C; arg: WorkerCalls[C][0]}}[WorkerCall];
export type WorkerReply = {id: number; result: unknown} | {id: number; error: {name: string; message: string}};
export type WorkerHandlers = {[C in WorkerCall]?: (arg: WorkerCalls[C][0]) => Promise<WorkerCalls[C][1]>};

/** A measuring worker's message loop: one call at a time, each answered by id. */
export function serveBenchCalls(handlers: WorkerHandlers): void {
  self.onmessage = async ({data}: MessageEvent<WorkerRequest>) => {
    try {
      const handler = handlers[data.call] as ((arg: unknown) => Promise<unknown>) | undefined;
      if (!handler) throw new Error(`this worker does not do "${data.call}"`);
      self.postMessage({id: data.id, result: await handler(data.arg)} satisfies WorkerReply);
    } catch (err) {
      const {name, message} = err instanceof Error ? err : new Error(String(err));
      self.postMessage({id: data.id, error: {name, message}} satisfies WorkerReply);
    }
  };
}

/** Wall time of one call, in ms; a job that times itself (a head epoch) answers its own. */
export async function wallMs(run: () => Promise<number | void>): Promise<number> {
  const started = performance.now();
  const own = await run();
  return typeof own === 'number' ? own : performance.now() - started;
}

/** A job built and ready to time: one run (a job that times itself answers its own ms), and what frees it. */
export interface PreparedJob {
  run: () => Promise<number | void>;
  dispose: () => void;
}

/**
 * The prepare and sample calls, the same in every measuring worker: `make`
 * builds a job (after the last one is freed) whose first run is the warm-up;
 * each sample times one more run. `current()` is the job ready now.
 */
export function jobTimer(make: (job: JobSpec) => PreparedJob) {
  let prepared: PreparedJob | null = null;
  const current = (): PreparedJob => {
    if (!prepared) throw new Error('nothing prepared');
    return prepared;
  };
  return {
    current,
    async prepare(job: JobSpec): Promise<{warmMs: number}> {
      prepared?.dispose();
      prepared = null;
      prepared = make(job);
      return {warmMs: await wallMs(prepared.run)};
    },
    async sample(): Promise<{ms: number}> {
      return {ms: await wallMs(current().run)};
    },
  };
}
