import type {TrainerClient} from '../../src/client/trainer-client.ts';
import type {
  CheckpointInfo,
  DatasetManifest,
  EvaluationResult,
  FeatureRunResult,
  HeadInfo,
  HeadResult,
  JobEvent,
  Progress,
  RuntimeReport,
  WeightsInfo,
} from '../../src/shared/protocol/index.ts';
import {sampleManifest} from './sample-manifest.ts';

/** A worker that answers at once, or when a test lets it (a gate), for testing the page without tfjs. */
export interface FakeWorker {
  client: TrainerClient;
  /** Calls made, by "service.method". */
  calls: string[];
  /** Set to hold a job until `release(name)` (it sends `events` first, and rejects if aborted). */
  hold: Set<string>;
  release(name: string): void;
  /** Events a held job sends while it waits. */
  events: Partial<Record<string, JobEvent[]>>;
  answers: {
    runtime: RuntimeReport;
    weights: WeightsInfo;
    manifest: DatasetManifest;
    restored: DatasetManifest | null;
    features: () => FeatureRunResult;
    head: HeadResult;
    headInfo: HeadInfo | null;
    checkpoint: CheckpointInfo | null;
    evaluation: () => EvaluationResult;
  };
}

export function fakeWorker(): FakeWorker {
  const manifest = sampleManifest();
  const calls: string[] = [];
  const hold = new Set<string>();
  const waiting = new Map<string, () => void>();
  const spec = {weightsId: 'random-he-uniform:1', layer: 'block5_pool', channels: 512, inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'} as const;
  const log = {epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75, seconds: 0.01, numTensors: 10};
  const fake = {
    client: null as unknown as TrainerClient,
    calls,
    hold,
    events: {},
    release: (name) => waiting.get(name)?.(),
    answers: {
      runtime: {
        phases: {inference: {backend: 'wasm', overridden: false, skipped: []}, training: {backend: 'webgl', overridden: false, skipped: []}},
        webgpu: null,
        webgl: null,
        crossOriginIsolated: false,
        wasmThreads: 1,
        wasmThreadsReason: 'one thread: not isolated',
      },
      weights: {id: 'random-he-uniform:1', origin: 'generated', label: 'Random', bytes: 4, params: 1, widths: [64, 128, 256, 512, 512], ignored: [], cached: false, defaults: {}},
      manifest,
      restored: null,
      features: () => ({spec, datasetId: manifest.id, total: 6, fromCache: 0, computed: 6, seconds: 1, imagesPerSecond: 6, backend: 'wasm'}),
      head: {history: [log], bestEpoch: 1, stoppedEarly: false, classes: manifest.classes, trainCount: 3, validationCount: 2, backend: 'wasm'},
      headInfo: null,
      checkpoint: null,
      evaluation: (): EvaluationResult => ({split: 'test', datasetId: manifest.id, model: 'head', loss: 0.3, accuracy: 1, confusion: [[0, 0], [0, 1]], perClass: [], predictions: [], classes: manifest.classes}),
    },
  } as FakeWorker;
  const call = <T>(name: string, answer: () => T) => async (..._args: unknown[]): Promise<T> => {
    calls.push(name);
    return answer();
  };
  const job = <T>(name: string, answer: () => T, after?: () => void) =>
    async (_request?: unknown, {signal, onEvent}: {signal?: AbortSignal; onEvent?: (e: JobEvent) => void} = {}): Promise<T> => {
      calls.push(name);
      for (const event of fake.events[name] ?? []) onEvent?.(event);
      if (hold.has(name)) {
        await new Promise<void>((resolve, reject) => {
          waiting.set(name, resolve);
          signal?.addEventListener('abort', () => reject(Object.assign(new Error('The job was cancelled.'), {name: 'CancelledError'})));
        });
      }
      after?.();
      return answer();
    };
  const a = fake.answers;
  fake.client = {
    runtime: {configure: call('runtime.configure', () => a.runtime), storage: call('runtime.storage', () => ({persistent: true})), memory: call('runtime.memory', () => ({backend: 'wasm', numTensors: 0, numBytes: 0}))},
    weights: {load: job('weights.load', () => a.weights), info: call('weights.info', () => a.weights)},
    dataset: {
      importZip: job('dataset.importZip', () => a.manifest),
      restore: call('dataset.restore', () => a.restored),
      resplit: call('dataset.resplit', () => a.manifest),
      pixels: call('dataset.pixels', () => new Uint8Array(0)),
    },
    features: {compute: job('features.compute', () => a.features()), extract: job('features.extract', () => null), clear: call('features.clear', () => 0)},
    head: {
      train: job('head.train', () => a.head, () => (a.headInfo = {datasetId: a.manifest.id, classes: a.manifest.classes, spec, seed: 1, trainedAt: Date.now(), restored: false})),
      info: call('head.info', () => a.headInfo),
    },
    fineTune: {run: job('fineTune.run', () => ({history: [log], resumedFrom: 0, backend: 'webgl'})), checkpoint: call('fineTune.checkpoint', () => a.checkpoint), preview: call('fineTune.preview', () => new Uint8Array(0))},
    evaluation: {head: job('evaluation.head', () => a.evaluation()), fineTuned: job('evaluation.fineTuned', () => ({...a.evaluation(), model: 'fine-tuned'}))},
    webcam: {classes: call('webcam.classes', () => [])},
    dispose: () => {},
  } as unknown as TrainerClient;
  return fake;
}

/** A fine-tuning progress event, as the worker sends it. */
export function fineTuneProgress(epoch: number, batch: number, done: number): Progress {
  return {kind: 'fine-tune', stage: 'train', epoch, epochs: 3, batch, batches: 4, loss: 0.5 - done / 100, accuracy: 0.5 + done / 100, done, total: 12, rate: 2, etaSeconds: (12 - done) / 2};
}
