import type {TrainerClient} from '../../src/client/trainer-client.ts';
import type {
  CheckpointInfo,
  DatasetManifest,
  EvaluationResult,
  FeatureRunResult,
  GradCamRequest,
  GradCamResult,
  HeadInfo,
  HeadResult,
  JobEvent,
  PixelsRequest,
  Progress,
  RuntimeReport,
  StorageListing,
  StorageRemoval,
  WeightsInfo,
} from '../../src/shared/protocol/index.ts';
import {sampleManifest} from './sample-manifest.ts';

/** A worker that answers at once, or when a test lets it (a gate), for testing the page without tfjs. */
export interface FakeWorker {
  client: TrainerClient;
  /** Calls made, by "service.method". */
  calls: string[];
  /** The requests jobs were given, in order. */
  requests: {name: string; request: unknown}[];
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
    /** What the worker keeps; a removal takes the item out and unloads what was in use. */
    storage: StorageListing;
    gradCam: (request: GradCamRequest) => GradCamResult;
  };
}

export function fakeWorker(): FakeWorker {
  const manifest = sampleManifest();
  const calls: string[] = [];
  const requests: FakeWorker['requests'] = [];
  const hold = new Set<string>();
  const waiting = new Map<string, () => void>();
  const spec = {weightsId: 'random-he-uniform:1', layer: 'block5_pool', channels: 512, inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'} as const;
  const log = {epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75, seconds: 0.01, numTensors: 10};
  const fake = {
    client: null as unknown as TrainerClient,
    calls,
    requests,
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
      storage: {items: [], estimate: {usage: 5_000_000, quota: 1_000_000_000, details: {indexedDB: 4_000_000, caches: 1_000_000}}, persistent: true},
      // 2×2 maps, hot in the cell numbered image mod 4 for class 1, in the opposite one for class 0; the model predicts what the evaluation says.
      gradCam: ({images, model, target}: GradCamRequest): GradCamResult => ({
        model,
        layer: 'block5_conv3',
        backend: 'wasm',
        datasetId: fake.answers.manifest.id,
        classes: fake.answers.manifest.classes,
        inputSize: 32,
        resize: 'bilinear',
        side: 2,
        cellPixels: 16,
        maps: images.map((image) => {
          const predicted = fake.answers.evaluation().predictions.find((p) => p.image === image)?.predicted ?? 1;
          const explained = target ?? predicted;
          const values = new Float32Array(4);
          values[explained === 1 ? image % 4 : 3 - (image % 4)] = 1;
          return {image, target: explained, predicted, probabilities: predicted === 1 ? [0.3, 0.7] : [0.7, 0.3], values};
        }),
      }),
    },
  } as FakeWorker;
  const call = <T>(name: string, answer: () => T) => async (..._args: unknown[]): Promise<T> => {
    calls.push(name);
    return answer();
  };
  const job = <T, Q = unknown>(name: string, answer: (request: Q) => T, after?: () => void) =>
    async (request?: Q, {signal, onEvent}: {signal?: AbortSignal; onEvent?: (e: JobEvent) => void} = {}): Promise<T> => {
      calls.push(name);
      requests.push({name, request});
      for (const event of fake.events[name] ?? []) onEvent?.(event);
      if (hold.has(name)) {
        await new Promise<void>((resolve, reject) => {
          waiting.set(name, resolve);
          signal?.addEventListener('abort', () => reject(Object.assign(new Error('The job was cancelled.'), {name: 'CancelledError'})));
        });
      }
      after?.();
      return answer(request as Q);
    };
  const a = fake.answers;
  fake.client = {
    runtime: {configure: call('runtime.configure', () => a.runtime), storage: call('runtime.storage', () => ({persistent: true})), memory: call('runtime.memory', () => ({backend: 'wasm', numTensors: 0, numBytes: 0}))},
    weights: {load: job('weights.load', () => a.weights), info: call('weights.info', () => a.weights)},
    dataset: {
      importZip: job('dataset.importZip', () => a.manifest),
      restore: call('dataset.restore', () => a.restored),
      resplit: call('dataset.resplit', () => a.manifest),
      pixels: async ({indices, size}: PixelsRequest) => {
        calls.push('dataset.pixels');
        return new Uint8Array(indices.length * size * size * 3).fill(128);
      },
    },
    features: {compute: job('features.compute', () => a.features()), extract: job('features.extract', () => null), clear: call('features.clear', () => 0)},
    head: {
      train: job('head.train', () => a.head, () => (a.headInfo = {datasetId: a.manifest.id, classes: a.manifest.classes, spec, seed: 1, trainedAt: Date.now(), restored: false})),
      info: call('head.info', () => a.headInfo),
    },
    fineTune: {run: job('fineTune.run', () => ({history: [log], resumedFrom: 0, backend: 'webgl'})), checkpoint: call('fineTune.checkpoint', () => a.checkpoint), preview: call('fineTune.preview', () => new Uint8Array(0))},
    evaluation: {head: job('evaluation.head', () => a.evaluation()), fineTuned: job('evaluation.fineTuned', () => ({...a.evaluation(), model: 'fine-tuned'}))},
    storage: {
      list: call('storage.list', () => structuredClone(a.storage)),
      remove: async (id: string): Promise<StorageRemoval> => {
        calls.push('storage.remove');
        const removed = a.storage.items.find((i) => i.id === id);
        if (!removed) throw Object.assign(new Error('That item is no longer kept.'), {name: 'InvalidRequestError'});
        a.storage.items = a.storage.items.filter((i) => i !== removed);
        const unloaded = removed.inUse && removed.kind !== 'features' && removed.kind !== 'webcam' ? [removed.kind] : [];
        if (removed.kind === 'head') a.headInfo = null;
        if (removed.kind === 'checkpoint') a.checkpoint = null;
        return {removed, unloaded};
      },
    },
    explain: {gradCam: job('explain.gradCam', (request: GradCamRequest) => a.gradCam(request))},
    webcam: {classes: call('webcam.classes', () => [])},
    dispose: () => {},
  } as unknown as TrainerClient;
  return fake;
}

/** A fine-tuning progress event, as the worker sends it. */
export function fineTuneProgress(epoch: number, batch: number, done: number): Progress {
  return {kind: 'fine-tune', stage: 'train', epoch, epochs: 3, batch, batches: 4, loss: 0.5 - done / 100, accuracy: 0.5 + done / 100, done, total: 12, rate: 2, etaSeconds: (12 - done) / 2};
}
