import * as tf from '@tensorflow/tfjs';
import {releaseProxy, transfer, type Remote} from 'comlink';
import {DEFAULT_FEATURE_OPTIONS, DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../src/shared/defaults.ts';
import {ErrorName, NamedError} from '../src/shared/errors.ts';
import type {
  AugmentSettings,
  BackendName,
  BackendOverrides,
  DatasetManifest,
  EpochLog,
  EvaluationResult,
  FeatureRequest,
  FeatureResult,
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
  MemoryReport,
  RuntimeReport,
  Split,
  WeightsInfo,
  WeightsSource,
} from '../src/shared/protocol.ts';
import {DatasetSession} from './dataset/dataset-session.ts';
import {cacheDatasetFeatures} from './features/cache-dataset-features.ts';
import {clearFeatures} from './features/feature-cache.ts';
import {extractFeatures} from './features/extract-features.ts';
import {loadVgg16Weights, type LoadedWeights} from './model/load-weights.ts';
import {buildVgg16} from './model/vgg16.ts';
import {VGG16_OUTPUT_LAYER, featureShapeFor} from './model/vgg16-layout.ts';
import {decodeVgg16Bundle} from './model/weights-bundle.ts';
import {chooseBackends, useBackend} from './runtime/backends.ts';
import {beginJob, cancelJob, endJob, throwIfCancelled} from './runtime/jobs.ts';
import {progressReporter, type ProgressCallback} from './runtime/progress.ts';
import {loadFeatureSet} from './training/feature-sets.ts';
import {CheckpointStore} from './training/checkpoint-store.ts';
import {evaluateClassifier, evaluateOnImages} from './training/evaluate.ts';
import {fineTune} from './training/fine-tune.ts';
import {augmentBatch, drawAugmentParams} from './training/augment.ts';
import {mulberry32} from '../src/shared/random.ts';
import {buildHead} from './training/head.ts';
import {preprocess} from './model/preprocess.ts';
import {loadHead, saveHead} from './training/head-store.ts';
import {trainHead} from './training/train-head.ts';

type Callback<T extends (...args: never[]) => unknown> = Remote<T> | T;

/**
 * The worker's API over one session's state. Plain functions apart from
 * Comlink's `transfer` for big results and the release of callback
 * proxies, so tests can call it directly or over a MessageChannel.
 *
 * Work that touches the backend, the model, the weights or the dataset runs
 * one call at a time: a backend switch or a new dataset must never land in
 * the middle of a job that is using the old one.
 */
export function createTrainerApi() {
  let runtime: Promise<RuntimeReport> | null = null;
  let weights: LoadedWeights | null = null;
  /** One conv base at a time (each holds a full copy of the weights on its backend). */
  let built: {model: tf.LayersModel; backend: BackendName; size: number} | null = null;
  const datasets = new DatasetSession();
  const checkpoints = new CheckpointStore();
  /** The model fine-tuning produced, for evaluation. */
  let fineTuned: {model: tf.LayersModel; spec: FeatureSpec; classes: string[]} | null = null;

  /** The last trained head (this session's, or kept from an earlier one), for fine-tuning and evaluation. */
  let head: {model: tf.LayersModel; spec: FeatureSpec; classes: string[]} | null = null;

  /** The trained head for this dataset's classes (this session's, or the one kept in IndexedDB). */
  const headFor = async (manifest: DatasetManifest): Promise<NonNullable<typeof head>> => {
    if (!head) {
      const kept = await loadHead();
      if (kept) head = {model: kept.model, spec: kept.meta.spec, classes: kept.meta.classes};
    }
    if (!head) throw new NamedError(ErrorName.HeadNotTrained, 'Train the head first (step 3).');
    if (head.classes.join('\n') !== manifest.classes.join('\n')) {
      throw new NamedError(ErrorName.HeadNotTrained, `The head was trained on other classes (${head.classes.join(', ')}): train it on this dataset first (step 3).`);
    }
    return head;
  };

  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => {});
    return run;
  };

  /** A cancellable job: named at once (so cancel() finds it while queued), then run in turn. */
  const job = <T>(jobId: string, onProgress: unknown, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const signal = beginJob(jobId);
    return serially(async () => {
      throwIfCancelled(signal);
      return work(signal);
    }).finally(() => {
      endJob(jobId);
      releaseCallback(onProgress);
    });
  };

  const currentRuntime = (overrides?: BackendOverrides): Promise<RuntimeReport> => {
    if (overrides || !runtime) {
      const chosen = chooseBackends(overrides);
      runtime = chosen;
      chosen.catch(() => {
        if (runtime === chosen) runtime = null; // a later choice may already have replaced it
      });
    }
    return runtime;
  };

  const disposeModel = (): void => {
    built?.model.dispose();
    built = null;
  };

  /** The conv base for an input size on a backend, built from the loaded weights' bytes. */
  const modelFor = (size: number, backend: BackendName): tf.LayersModel => {
    if (!weights) throw new NamedError(ErrorName.WeightsNotLoaded, 'Load VGG16 weights before extracting features.');
    if (built?.backend === backend && built.size === size) return built.model;
    disposeModel();
    const tensors = decodeVgg16Bundle(weights.bundle);
    try {
      built = {model: buildVgg16(size, tensors), backend, size};
    } finally {
      tf.dispose(tensors);
    }
    return built.model;
  };

  return {
    /** The backend per phase and why; chooses again when overrides are given. */
    configureRuntime(overrides?: BackendOverrides): Promise<RuntimeReport> {
      return serially(() => currentRuntime(overrides));
    },

    /** Loads and checks the weights (bytes only: each backend builds its model from them when needed). */
    loadWeights(source: WeightsSource): Promise<WeightsInfo> {
      return serially(async () => {
        const loaded = await loadVgg16Weights(source);
        disposeModel();
        weights = loaded;
        return loaded.info;
      });
    },

    weightsInfo(): WeightsInfo | null {
      return weights?.info ?? null;
    },

    /** block5_pool features of a batch of images, on the inference backend. */
    extractFeatures(jobId: string, request: FeatureRequest, onProgress?: Callback<ProgressCallback>): Promise<FeatureResult> {
      return job(jobId, onProgress, async (signal) => {
        const backend = await useBackend(await currentRuntime(), 'inference');
        const model = modelFor(request.size, backend);
        const report = progressReporter('features', onProgress);
        report(0, request.count);
        const features = await extractFeatures(model, request.pixels, request.count, {
          batchSize: request.batchSize,
          preprocessing: request.preprocessing,
          signal,
          onBatch: (done) => report(done, request.count),
        });
        const shape = model.outputs[0]!.shape as number[];
        const result: FeatureResult = {features, shape: [request.count, shape[1]!, shape[2]!, shape[3]!], backend};
        return transfer(result, [features.buffer]);
      });
    },

    /**
     * Imports a zipped image dataset. The File arrives as is (structured
     * clone shares it; the main thread never reads the archive).
     */
    importDataset(
      jobId: string,
      file: File,
      options: ImportOptions = {},
      onProgress?: Callback<ProgressCallback>,
      limits?: Partial<ImportLimits>,
    ): Promise<DatasetManifest> {
      return job(jobId, onProgress, (signal) => {
        const report = progressReporter('import', onProgress);
        return datasets.importZip(file, file.name, options, {
          signal,
          limits,
          onEntry: (done, total, images) => report(done, total, {images}),
        });
      });
    },

    /** The dataset kept from an earlier visit, or null. */
    restoreDataset(): Promise<DatasetManifest | null> {
      return serially(() => datasets.restore());
    },

    /** Draws the train/validation/test split again (class-folder zips only). */
    resplitDataset(options: ImportOptions): Promise<DatasetManifest> {
      return serially(() => datasets.resplit(options));
    },

    /** Images of the dataset as RGB uint8, size×size each, one after another. */
    datasetPixels(indices: number[], size: number): Promise<Uint8Array> {
      return serially(async () => {
        const pixels = await datasets.readPixels(indices, size);
        return transfer(pixels, [pixels.buffer]);
      });
    },

    /**
     * Puts every dataset image's bottleneck features in IndexedDB: cached
     * ones are reused, the rest computed on the inference backend.
     */
    computeFeatures(jobId: string, options: FeatureRunOptions, onProgress?: Callback<ProgressCallback>): Promise<FeatureRunResult> {
      return job(jobId, onProgress, async (signal) => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before computing features.');
        if (!weights) throw new NamedError(ErrorName.WeightsNotLoaded, 'Load VGG16 weights before computing features.');
        const spec: FeatureSpec = {
          weightsId: weights.info.id,
          layer: VGG16_OUTPUT_LAYER,
          inputSize: options.inputSize,
          preprocessing: options.preprocessing,
        };
        const report = progressReporter('features', onProgress);
        const started = performance.now();
        let backend: BackendName | null = null;
        const {fromCache, computed, computeSeconds} = await cacheDatasetFeatures({
          hashes: manifest.images.map((image) => image.hash),
          spec,
          batchSize: options.batchSize ?? DEFAULT_FEATURE_OPTIONS.batchSize,
          readPixels: (indices, jobSignal) => datasets.readPixels(indices, options.inputSize, jobSignal),
          model: () => modelFor(options.inputSize, backend!),
          signal,
          onProgress: (done, total, cached) => report(done, total, {cached}),
          beforeCompute: async () => {
            backend = await useBackend(await currentRuntime(), 'inference');
          },
        });
        const seconds = (performance.now() - started) / 1000;
        return {
          spec,
          datasetId: manifest.id,
          total: manifest.images.length,
          fromCache,
          computed,
          seconds,
          imagesPerSecond: computed > 0 ? computed / computeSeconds : null,
          backend,
        };
      });
    },

    /** Empties the feature cache (every dataset and setting); returns how many entries went. */
    clearFeatures(): Promise<number> {
      return serially(() => clearFeatures());
    },

    /**
     * Trains the classifier head on cached features only (no zip, no VGG16,
     * no network). Dense layers train on any backend: it runs on the
     * inference one (wasm can do this, unlike convolutions).
     */
    trainHead(
      jobId: string,
      spec: FeatureSpec,
      options: Partial<HeadOptions> = {},
      onEpoch?: Callback<(log: EpochLog) => void>,
    ): Promise<HeadResult> {
      return job(jobId, onEpoch, async (signal) => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before training the head.');
        const train = await loadFeatureSet(manifest, 'train', spec);
        const validation = await loadFeatureSet(manifest, 'validation', spec);
        const backend = await useBackend(await currentRuntime(), 'inference');
        const trained = await trainHead({
          train,
          validation,
          featureShape: featureShapeFor(spec.inputSize),
          classCount: manifest.classes.length,
          options: {...DEFAULT_HEAD_OPTIONS, ...options},
          signal,
          onEpoch: (log) => void Promise.resolve(onEpoch?.(log)).catch(() => {}),
        });
        head?.model.dispose();
        head = {model: trained.model, spec, classes: manifest.classes};
        const featureShape = featureShapeFor(spec.inputSize);
        // Kept for the next visit; losing that (a full disk) must not lose the run.
        await saveHead(trained.model, {spec, classes: manifest.classes, featureShape, seed: options.seed ?? DEFAULT_HEAD_OPTIONS.seed}).catch(
          () => {},
        );
        return {
          history: trained.history,
          bestEpoch: trained.bestEpoch,
          stoppedEarly: trained.stoppedEarly,
          classes: manifest.classes,
          trainCount: train.labels.length,
          validationCount: validation.labels.length,
          backend,
        };
      });
    },

    /**
     * Fine-tunes block5 with the trained head on top, on augmented images,
     * on the training backend; checkpoints after every epoch. `resume` goes
     * on from the last checkpoint (after a reload, a cancel or an error).
     */
    fineTune(
      jobId: string,
      request: Partial<FineTuneOptions> & {resume?: boolean} = {},
      onEpoch?: Callback<(log: EpochLog) => void>,
    ): Promise<FineTuneResult> {
      return job(jobId, onEpoch, async (signal) => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before fine-tuning.');
        if (!weights) throw new NamedError(ErrorName.WeightsNotLoaded, 'Load the VGG16 weights before fine-tuning.');
        const backend = await useBackend(await currentRuntime(), 'training');
        const trainedHead = await headFor(manifest);
        const {spec, classes} = trainedHead;
        if (weights.info.id !== spec.weightsId) {
          throw new NamedError(ErrorName.InvalidRequest, 'The head was trained on features of other weights: load those weights, or train the head again.');
        }
        const checkpoint = request.resume ? await checkpoints.load() : null;
        if (request.resume && !checkpoint) throw new NamedError(ErrorName.InvalidRequest, 'There is no checkpoint to resume from.');
        if (checkpoint && (checkpoint.manifest.datasetId !== manifest.id || checkpoint.manifest.spec.weightsId !== spec.weightsId)) {
          throw new NamedError(ErrorName.InvalidRequest, 'The checkpoint belongs to another dataset, split or weights: start a new run.');
        }
        if (!checkpoint) await checkpoints.clear();
        const {resume: _resume, ...overrides} = request;
        const options: FineTuneOptions = checkpoint ? {...checkpoint.manifest.options, ...overrides} : {...DEFAULT_FINE_TUNE, ...overrides};
        const tensors = decodeVgg16Bundle(weights.bundle);
        let convBase: tf.LayersModel;
        try {
          convBase = buildVgg16(spec.inputSize, tensors);
        } finally {
          tf.dispose(tensors);
        }
        const split = (name: Split) => {
          const images = manifest.images.flatMap((image, index) => (image.split === name ? [index] : []));
          return {images, labels: images.map((i) => manifest.images[i]!.label)};
        };
        const result = await fineTune({
          convBase,
          head: copyOnBackend(trainedHead.model, spec, classes.length),
          train: split('train'),
          validation: split('validation'),
          classCount: classes.length,
          classes,
          spec,
          datasetId: manifest.id,
          options,
          readPixels: (images, jobSignal) => datasets.readPixels(images, spec.inputSize, jobSignal),
          checkpoints,
          ...(checkpoint ? {resume: checkpoint} : {}),
          signal,
          onEpoch: (log) => void Promise.resolve(onEpoch?.(log)).catch(() => {}),
        });
        fineTuned?.model.dispose();
        fineTuned = {model: result.model, spec, classes};
        return {history: result.history, resumedFrom: checkpoint?.manifest.epoch ?? 0, backend};
      });
    },

    /** `count` augmented versions of one dataset image (RGB, size×size each), drawn from `seed`. */
    augmentPreview(image: number, count: number, seed: number, augment: AugmentSettings, size = 150): Promise<Uint8Array> {
      return serially(async () => {
        await useBackend(await currentRuntime(), 'inference');
        const pixels = await datasets.readPixels([image], size);
        const random = mulberry32(seed);
        const params = Array.from({length: count}, () => drawAugmentParams(augment, size, size, random));
        const out = tf.tidy(() => {
          const batch = tf.tensor4d(pixels, [1, size, size, 3], 'int32').toFloat().tile([count, 1, 1, 1]) as tf.Tensor4D;
          return augmentBatch(batch, params).round().clipByValue(0, 255).toInt();
        });
        try {
          const data = Uint8Array.from(await out.data());
          return transfer(data, [data.buffer]);
        } finally {
          out.dispose();
        }
      });
    },

    /** The last fine-tuning checkpoint, if any (to offer "resume"). */
    async checkpointInfo(): Promise<CheckpointInfo | null> {
      const manifest = await checkpoints.manifest();
      return manifest && {epoch: manifest.epoch, epochs: manifest.options.epochs, history: manifest.history, spec: manifest.spec, options: manifest.options};
    },

    /** Scores the fine-tuned model on a split (test by default), from the images themselves. */
    evaluateFineTuned(split: Split = 'test'): Promise<EvaluationResult> {
      return serially(async () => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before evaluating.');
        if (!fineTuned) throw new NamedError(ErrorName.HeadNotTrained, 'Fine-tune first (step 4): the fine-tuned model lives until the page is closed.');
        await useBackend(await currentRuntime(), 'training'); // where the fine-tuned model's weights live
        const {model, spec, classes} = fineTuned;
        const images = manifest.images.flatMap((image, index) => (image.split === split ? [index] : []));
        const scored = await evaluateOnImages(
          model,
          {images, labels: images.map((i) => manifest.images[i]!.label)},
          classes.length,
          async (batch) => {
            const pixels = await datasets.readPixels(batch, spec.inputSize);
            return tf.tidy(() => preprocess(tf.tensor4d(pixels, [batch.length, spec.inputSize, spec.inputSize, 3], 'int32'), spec.preprocessing));
          },
        );
        return {split, model: 'fine-tuned', classes, ...scored};
      });
    },

    /** Scores the trained head on a split (the test split by default) from cached features. */
    evaluateHead(split: Split = 'test'): Promise<EvaluationResult> {
      return serially(async () => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before evaluating.');
        // The backend first: a kept head is rebuilt as tensors on whatever backend is current.
        await useBackend(await currentRuntime(), 'inference');
        const {model, spec, classes} = await headFor(manifest);
        const input = await loadFeatureSet(manifest, split, spec);
        const scored = evaluateClassifier(model, input, featureShapeFor(spec.inputSize), classes.length);
        return {split, model: 'head', classes, ...scored};
      });
    },

    /** Asks a job to stop at its next batch boundary (or before it starts, if queued). */
    cancel(jobId: string): boolean {
      return cancelJob(jobId);
    },

    memory(): MemoryReport {
      const {numTensors, numBytes} = tf.memory();
      return {backend: tf.getBackend() as MemoryReport['backend'], numTensors, numBytes};
    },
  };
}

function releaseCallback(callback: unknown): void {
  const release = (callback as {[releaseProxy]?: () => void} | undefined)?.[releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

/**
 * A copy of the head on the current backend, from its values (read on the
 * backend that holds them): tensors never move between backends.
 */
function copyOnBackend(head: tf.LayersModel, spec: FeatureSpec, classCount: number): tf.LayersModel {
  const copy = buildHead(featureShapeFor(spec.inputSize), classCount, 0);
  const values = head.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape));
  try {
    copy.setWeights(values);
  } finally {
    tf.dispose(values);
  }
  return copy;
}

