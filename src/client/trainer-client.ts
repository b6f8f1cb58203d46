import {proxy, releaseProxy, transfer, wrap, type Remote} from 'comlink';
import type {TrainerApi} from '../../workers/trainer.worker.ts';
import {installNamedErrorTransfer} from '../shared/comlink-errors.ts';
import {ErrorName, NamedError} from '../shared/errors.ts';
import type {
  AugmentSettings,
  BackendOverrides,
  DatasetManifest,
  EpochLog,
  EvaluationResult,
  FeatureRunOptions,
  FeatureRunResult,
  FeatureSpec,
  CheckpointInfo,
  FineTuneOptions,
  FineTuneResult,
  HeadOptions,
  HeadResult,
  ImportLimits,
  ImportOptions,
  FeatureRequest,
  FeatureResult,
  MemoryReport,
  Progress,
  RuntimeReport,
  Split,
  WeightsInfo,
  WeightsSource,
} from '../shared/protocol.ts';

installNamedErrorTransfer();

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

let nextJob = 0;

/**
 * The main thread's handle on the trainer worker: the one place that
 * creates it. Every call is typed by the worker's own API. A worker that
 * fails to load or dies would leave Comlink calls pending forever, so the
 * client watches for that and rejects them with WorkerCrashedError.
 */
export class TrainerClient {
  readonly #remote: Remote<TrainerApi>;
  readonly #worker: Worker | null;
  #crash: NamedError | null = null;
  readonly #crashed: Promise<never>;
  #rejectCrashed!: (err: NamedError) => void;

  /** Starts the trainer worker. */
  static start(): TrainerClient {
    return new TrainerClient(
      new Worker(new URL('../../workers/trainer.worker.ts', import.meta.url), {type: 'module', name: 'trainer'}),
    );
  }

  /** Wraps an existing worker or port (tests use a worker with WebGPU hidden). */
  constructor(endpoint: Worker | MessagePort) {
    this.#remote = wrap<TrainerApi>(endpoint);
    this.#worker = endpoint instanceof Worker ? endpoint : null;
    this.#crashed = new Promise<never>((_, reject) => (this.#rejectCrashed = reject));
    this.#crashed.catch(() => {}); // observed through #call; not an unhandled rejection
    if (this.#worker) {
      // Any error event counts as fatal: it is how a worker that failed to load reports, and an
      // uncaught exception in ours means its state can no longer be trusted. The UI starts a new one.
      this.#worker.addEventListener('error', (event) => {
        // Handled here: without preventDefault it would also surface as an uncaught page error.
        event.preventDefault();
        this.#fail(`The trainer worker failed: ${event.message || 'it could not be loaded (see the console)'}`);
      });
      this.#worker.addEventListener('messageerror', () =>
        this.#fail('A message from the trainer worker could not be read.'),
      );
    }
  }

  #fail(message: string): void {
    if (this.#crash) return;
    this.#crash = new NamedError(ErrorName.WorkerCrashed, message);
    this.#rejectCrashed(this.#crash);
    this.#worker?.terminate();
  }

  #call<T>(work: () => Promise<T>): Promise<T> {
    if (this.#crash) return Promise.reject(this.#crash);
    return Promise.race([work(), this.#crashed]);
  }

  /** Resolves the backends (or re-chooses them with overrides) and reports why each was picked. */
  configureRuntime(overrides?: BackendOverrides): Promise<RuntimeReport> {
    return this.#call(() => this.#remote.configureRuntime(overrides));
  }

  loadWeights(source: WeightsSource): Promise<WeightsInfo> {
    // Relative URLs mean "relative to this page"; the worker would read them relative to its script.
    const resolved: WeightsSource =
      source.kind === 'url' ? {...source, url: new URL(source.url, document.baseURI).href} : source;
    return this.#call(() => this.#remote.loadWeights(resolved));
  }

  weightsInfo(): Promise<WeightsInfo | null> {
    return this.#call(() => this.#remote.weightsInfo());
  }

  /** Computes block5_pool features. The pixels' buffer is transferred: the caller loses it. */
  async extractFeatures(request: FeatureRequest, options: JobOptions = {}): Promise<FeatureResult> {
    return this.#job(options.signal, options.onProgress, (jobId, onProgress) =>
      this.#remote.extractFeatures(jobId, transfer(request, [request.pixels.buffer]), onProgress),
    );
  }

  /** Runs a named, cancellable job; its callback crosses as a Comlink proxy, which the worker releases. */
  async #job<T, C extends (arg: never) => void>(
    signal: AbortSignal | undefined,
    callback: C | undefined,
    run: (jobId: string, callback: C | undefined) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw new NamedError(ErrorName.Cancelled, 'The job was cancelled before it started.');
    const jobId = `job-${++nextJob}`;
    const cancel = (): void => void this.#remote.cancel(jobId).catch(() => {});
    signal?.addEventListener('abort', cancel, {once: true});
    try {
      return await this.#call(() => run(jobId, callback ? proxy(callback) : undefined));
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Makes sure every image of the dataset has its bottleneck features in IndexedDB. */
  computeFeatures(options: FeatureRunOptions, job: JobOptions = {}): Promise<FeatureRunResult> {
    return this.#job(job.signal, job.onProgress, (jobId, onProgress) => this.#remote.computeFeatures(jobId, options, onProgress));
  }

  /** Fine-tunes block5 with the head on augmented images; `resume` goes on from the last checkpoint. */
  fineTune(
    request: Partial<FineTuneOptions> & {resume?: boolean} = {},
    job: {signal?: AbortSignal; onEpoch?: (log: EpochLog) => void} = {},
  ): Promise<FineTuneResult> {
    return this.#job(job.signal, job.onEpoch, (jobId, onEpoch) => this.#remote.fineTune(jobId, request, onEpoch));
  }

  /** `count` augmented versions of one dataset image, RGB size×size each, one after another. */
  augmentPreview(image: number, count: number, seed: number, augment: AugmentSettings, size = 150): Promise<Uint8Array> {
    return this.#call(() => this.#remote.augmentPreview(image, count, seed, augment, size));
  }

  /** The last fine-tuning checkpoint, or null. */
  checkpointInfo(): Promise<CheckpointInfo | null> {
    return this.#call(() => this.#remote.checkpointInfo());
  }

  /** Scores the fine-tuned model on a split (test by default). */
  evaluateFineTuned(split: Split = 'test'): Promise<EvaluationResult> {
    return this.#call(() => this.#remote.evaluateFineTuned(split));
  }

  /** Scores the trained head on a split (test by default). */
  evaluateHead(split: Split = 'test'): Promise<EvaluationResult> {
    return this.#call(() => this.#remote.evaluateHead(split));
  }

  /** Empties the feature cache; resolves to how many entries it held. */
  clearFeatures(): Promise<number> {
    return this.#call(() => this.#remote.clearFeatures());
  }

  /** Trains the classifier head on cached features; `onEpoch` gets each epoch's metrics as it ends. */
  trainHead(
    spec: FeatureSpec,
    options: Partial<HeadOptions> = {},
    job: {signal?: AbortSignal; onEpoch?: (log: EpochLog) => void} = {},
  ): Promise<HeadResult> {
    return this.#job(job.signal, job.onEpoch, (jobId, onEpoch) => this.#remote.trainHead(jobId, spec, options, onEpoch));
  }

  /** Imports a zipped dataset; the File goes to the worker as is. */
  importDataset(
    file: File,
    options: ImportOptions = {},
    job: JobOptions & {limits?: Partial<ImportLimits>} = {},
  ): Promise<DatasetManifest> {
    return this.#job(job.signal, job.onProgress, (jobId, onProgress) =>
      this.#remote.importDataset(jobId, file, options, onProgress, job.limits),
    );
  }

  /** The dataset kept from an earlier visit, or null. */
  restoreDataset(): Promise<DatasetManifest | null> {
    return this.#call(() => this.#remote.restoreDataset());
  }

  resplitDataset(options: ImportOptions): Promise<DatasetManifest> {
    return this.#call(() => this.#remote.resplitDataset(options));
  }

  /** Images by index, decoded and resized to size×size, RGB uint8 one after another. */
  datasetPixels(indices: number[], size: number): Promise<Uint8Array> {
    return this.#call(() => this.#remote.datasetPixels(indices, size));
  }

  memory(): Promise<MemoryReport> {
    return this.#call(() => this.#remote.memory());
  }

  /** Ends the worker; pending calls reject with WorkerCrashedError. */
  dispose(): void {
    this.#remote[releaseProxy]();
    this.#fail('The trainer was shut down.');
  }
}
