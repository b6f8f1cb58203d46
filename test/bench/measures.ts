import {TrainerClient} from '../../src/client/trainer-client.ts';
import {DEFAULT_FEATURE_OPTIONS, DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';
import {randomVgg16Bundle, type WeightsBundle} from '../../workers/model/weights-bundle.ts';
import {asFile, encodePicture, makeZip, type ZipContent} from '../support/dataset-zips.ts';
import type {Backend, JobSpec, SetupResult} from './bench-protocol.ts';
import {BenchWorker, OverBudgetError} from './bench-worker-client.ts';

/**
 * The measures of `npm run bench` that compare ways of doing one thing:
 * ours (the project's code), stock tfjs, and native PyTorch (run by
 * scripts/bench.mjs). scripts/bench.mjs asks for a measure's alternatives,
 * prepares each, then takes samples round by round, interleaved, so drift
 * on this shared machine hits all alike. Every call has a time limit.
 */

export type Impl = 'ours' | 'stock';

export interface AlternativeInfo {
  /** e.g. "ours·wasm", "stock·webgl". */
  key: string;
  impl: Impl;
  backend: Backend;
}

/** A measure as scripts/bench.mjs sees it (plain data). */
export interface MeasureInfo {
  name: string;
  title: string;
  /** e2e: decode → resize → preprocess → VGG16 → IndexedDB, through the real worker (TrainerClient). */
  kind: JobSpec['what'] | 'e2e';
  size: number;
  batch: number;
  /** What the rate counts. */
  unit: 'image' | 'epoch';
  /** Units in one sample (images of a batch, of an e2e dataset; one epoch). */
  perSample: number;
  alternatives: AlternativeInfo[];
  /** The job ours, stock tfjs and the native script each run (none for e2e: only ours goes through the worker). */
  job: JobSpec | null;
  /** Skip an alternative whose sample would take longer than the budget: its time per unit in `from` (this run), times `factor`. */
  estimate: {from: string; factor: number} | null;
  /** The project's target for ours on wasm on the 2-core development machine, in ms per unit (issue 12). */
  targetMs: number | null;
}

const BACKENDS: Backend[] = ['wasm', 'webgl', 'webgpu', 'cpu'];
const ours = (backends = BACKENDS): AlternativeInfo[] => backends.map((backend) => ({key: `ours·${backend}`, impl: 'ours', backend}));
// A developer's tfjs: the wasm package where they add it, else tfjs's default, WebGL. On cpu and
// WebGPU stock runs the kernels ours runs (our kernels are wasm's only): measured as ours there.
const stock = (): AlternativeInfo[] => (['wasm', 'webgl'] as const).map((backend) => ({key: `stock·${backend}`, impl: 'stock', backend}));

/** Pixels scale as the square of the side: the estimate from 32×32 to 150×150. */
const AREA_32_TO_150 = (150 / 32) ** 2;
/** The app's head settings (batch 20) on the tutorial's 2,000 training and 800 validation images. */
const HEAD = {batch: DEFAULT_HEAD_OPTIONS.batchSize, train: 2000, validation: 800};
/** Images per e2e sample: enough batches of 8 that the pipeline overlaps, few enough for a short run. */
const E2E_IMAGES: Record<number, number> = {32: 48, 150: 16};
/** The batches the app uses for each kind of job. */
const BATCH: Record<MeasureInfo['kind'], number> = {
  features: DEFAULT_FEATURE_OPTIONS.batchSize,
  e2e: DEFAULT_FEATURE_OPTIONS.batchSize,
  step: DEFAULT_FINE_TUNE.batchSize,
  head: HEAD.batch,
};
const NAME: Record<MeasureInfo['kind'], string> = {features: 'features', e2e: 'e2e', step: 'fine-tune', head: 'head'};
const TITLE: Record<MeasureInfo['kind'], string> = {features: 'features, model only', e2e: 'features end to end', step: 'fine-tune step', head: 'head epoch'};

function measure(kind: MeasureInfo['kind'], size: number, extra: Partial<MeasureInfo> = {}): MeasureInfo {
  const batch = BATCH[kind];
  const job: JobSpec | null = kind === 'e2e' ? null : {what: kind, size, batch, ...(kind === 'head' ? {train: HEAD.train, validation: HEAD.validation} : {})};
  return {
    name: `${NAME[kind]}-${size}`,
    title: TITLE[kind],
    kind,
    size,
    batch,
    unit: kind === 'head' ? 'epoch' : 'image',
    perSample: kind === 'head' ? 1 : kind === 'e2e' ? E2E_IMAGES[size]! : batch,
    alternatives: kind === 'e2e' ? ours() : [...ours(), ...stock()],
    job,
    estimate: null,
    targetMs: null,
    ...extra,
  };
}

/** In the order they run by default: each 150×150 measure estimates the slow backends from a measure before it. */
export const MEASURES: MeasureInfo[] = [
  measure('features', 32),
  measure('e2e', 32, {estimate: {from: 'features-32', factor: 1}}),
  measure('step', 32, {estimate: {from: 'features-32', factor: 2}}),
  measure('head', 150),
  measure('features', 150, {estimate: {from: 'features-32', factor: AREA_32_TO_150}, targetMs: 200}),
  measure('e2e', 150, {estimate: {from: 'features-150', factor: 1}}),
  measure('step', 150, {estimate: {from: 'fine-tune-32', factor: AREA_32_TO_150}, targetMs: 320}),
];

/** cannot: the backend lacks a kernel the job needs; stopped: past its time limit (its worker ended); failed: anything else. */
export type Failure = {ok: false; status: 'cannot' | 'failed' | 'stopped'; reason: string};
/** `setup`: the worker's SetupResult, or what the e2e worker's runtime reports. */
export type PrepareOutcome = {ok: true; warmMs: number; setup: Partial<SetupResult> & {[more: string]: unknown}} | Failure;
export type SampleOutcome = {ok: true; ms: number; extra?: Record<string, number>} | Failure;

interface Alternative {
  prepare(timeoutMs: number): Promise<PrepareOutcome>;
  sample(timeoutMs: number): Promise<SampleOutcome>;
  dispose(): void;
}

let bundle: WeightsBundle | null = null;
/** The project's seeded random VGG16 weights (seed 1), the same bytes ours builds from: loaded into stock's model. */
const weightsBundle = () => (bundle ??= randomVgg16Bundle(1));

/** A kernel tfjs does not have on a backend: stock tfjs cannot do the job there. */
const MISSING_KERNEL = /not yet implemented or not found in the registry|not registered/i;

function failure(err: unknown): Failure {
  const {name, message} = err instanceof Error ? err : new Error(String(err));
  if (err instanceof OverBudgetError) return {ok: false, status: 'stopped', reason: message};
  return {ok: false, status: MISSING_KERNEL.test(message) ? 'cannot' : 'failed', reason: `${name}: ${message}`};
}

/** Ours or stock tfjs in a measuring worker of its own. */
class WorkerAlternative implements Alternative {
  #worker: BenchWorker | null = null;

  constructor(
    private readonly info: AlternativeInfo,
    private readonly job: JobSpec,
  ) {}

  async prepare(timeoutMs: number): Promise<PrepareOutcome> {
    const started = performance.now();
    const left = () => Math.max(1000, timeoutMs - (performance.now() - started));
    try {
      const worker = new BenchWorker(this.info.impl, `bench ${this.info.key}`);
      this.#worker = worker;
      const setup = await worker.call('setup', {backend: this.info.backend, ...(this.info.impl === 'stock' ? {bundle: weightsBundle()} : {})}, left());
      const {warmMs} = await worker.call('prepare', this.job, left());
      return {ok: true, warmMs, setup: {...setup}};
    } catch (err) {
      this.dispose();
      return failure(err);
    }
  }

  async sample(timeoutMs: number): Promise<SampleOutcome> {
    try {
      return {ok: true, ms: (await this.#worker!.call('sample', null, timeoutMs)).ms};
    } catch (err) {
      this.dispose();
      return failure(err);
    }
  }

  dispose(): void {
    this.#worker?.dispose();
    this.#worker = null;
  }
}

const zips = new Map<string, Promise<File>>();

/** `count` seeded JPEGs of a photo's size (500×375), two classes, stored (zip tools store JPEGs). */
export function photoZip(count: number, width = 500, height = 375): Promise<File> {
  const key = `${count}:${width}x${height}`;
  if (!zips.has(key)) {
    zips.set(
      key,
      (async () => {
        const files: Record<string, ZipContent> = {};
        for (let i = 0; i < count; i++) {
          const name = ['sharks', 'dolphins'][i % 2]!;
          files[`${name}/${name}_${i}.jpg`] = await encodePicture('jpeg', {width, height, seed: i + 1});
        }
        return asFile(await makeZip(files, {level: 0}), `bench-${count}-photos.zip`);
      })(),
    );
  }
  return zips.get(key)!;
}

/** Features end to end through the real worker: each sample empties the cache and computes every image again. */
class EndToEndAlternative implements Alternative {
  #trainer: TrainerClient | null = null;

  constructor(
    private readonly info: AlternativeInfo,
    private readonly measure: MeasureInfo,
  ) {}

  get #options() {
    return {inputSize: this.measure.size, preprocessing: 'caffe', resize: 'bilinear', batchSize: this.measure.batch} as const;
  }

  async prepare(timeoutMs: number): Promise<PrepareOutcome> {
    return this.#limited(timeoutMs, async (trainer) => {
      const zip = await photoZip(this.measure.perSample);
      const runtime = await trainer.runtime.configure({inference: this.info.backend});
      const chosen = runtime.phases.inference;
      if (chosen.backend !== this.info.backend) {
        const why = chosen.skipped.find((s) => s.backend === this.info.backend)?.reason ?? `${chosen.backend} was chosen`;
        throw new Error(`${this.info.backend}: ${why}`);
      }
      await trainer.dataset.importZip({file: zip});
      await trainer.weights.load({kind: 'random', seed: 1});
      const warm = await trainer.features.compute(this.#options);
      return {
        ok: true as const,
        warmMs: warm.seconds * 1000,
        setup: {
          backend: this.info.backend,
          threads: this.info.backend === 'wasm' ? runtime.wasmThreads : null,
          crossOriginIsolated: runtime.crossOriginIsolated,
          zipBytes: zip.size,
          images: this.measure.perSample,
        },
      };
    });
  }

  async sample(timeoutMs: number): Promise<SampleOutcome> {
    return this.#limited(timeoutMs, async (trainer) => {
      await trainer.features.clear();
      const result = await trainer.features.compute(this.#options);
      if (result.computed !== this.measure.perSample || !result.imagesPerSecond) throw new Error(`computed ${result.computed} of ${this.measure.perSample} images`);
      // The batch loop (decode, resize, preprocess, VGG16, IndexedDB writes); the whole call besides.
      return {ok: true as const, ms: (result.computed / result.imagesPerSecond) * 1000, extra: {callMs: result.seconds * 1000}};
    });
  }

  dispose(): void {
    this.#trainer?.dispose();
    this.#trainer = null;
  }

  /** Runs `work` on this alternative's worker; past the limit the worker is ended. */
  async #limited<T>(timeoutMs: number, work: (trainer: TrainerClient) => Promise<T>): Promise<T | Failure> {
    this.#trainer ??= TrainerClient.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OverBudgetError(`ran past ${Math.round(timeoutMs / 1000)} s; the worker was ended`)), timeoutMs);
    });
    try {
      return await Promise.race([work(this.#trainer), limit]);
    } catch (err) {
      this.dispose();
      return failure(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The alternatives of one measure, made when scripts/bench.mjs opens it and ended when it closes it. */
export class OpenMeasure {
  readonly #alternatives = new Map<string, Alternative>();

  constructor(readonly info: MeasureInfo) {
    for (const alt of info.alternatives) {
      this.#alternatives.set(alt.key, info.kind === 'e2e' ? new EndToEndAlternative(alt, info) : new WorkerAlternative(alt, info.job!));
    }
  }

  prepare(key: string, timeoutMs: number): Promise<PrepareOutcome> {
    return this.#get(key).prepare(timeoutMs);
  }

  sample(key: string, timeoutMs: number): Promise<SampleOutcome> {
    return this.#get(key).sample(timeoutMs);
  }

  close(): void {
    for (const alt of this.#alternatives.values()) alt.dispose();
  }

  #get(key: string): Alternative {
    const alt = this.#alternatives.get(key);
    if (!alt) throw new Error(`${this.info.name} has no alternative "${key}"`);
    return alt;
  }
}
