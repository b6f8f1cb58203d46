import * as tf from '@tensorflow/tfjs';
import {releaseProxy, transfer, type Remote} from 'comlink';
import {DEFAULT_FEATURE_OPTIONS, DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../src/shared/defaults.ts';
import {ErrorName, NamedError, hasErrorName} from '../src/shared/errors.ts';
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
import {imagesOf, loadFeatureSet} from './training/feature-sets.ts';
import {CheckpointStore} from './training/checkpoint-store.ts';
import {evaluateClassifier, evaluateOnImages} from './training/evaluate.ts';
import {buildFineTuneModel, fineTune, loadTrainableWeights} from './training/fine-tune.ts';
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
  /** Fine-tuning's checkpoints: the fine-tuned model lives there (and is rebuilt from there to evaluate). */
  const checkpoints = new CheckpointStore();

  /** The last trained head (this session's, or kept from an earlier one), on the inference backend. */
  let head: {model: tf.LayersModel; spec: FeatureSpec; classes: string[]; datasetId: string; seed: number} | null = null;

  /**
   * The head trained on this very dataset and split. Another split's head
   * has seen some of these test images; another dataset's knows other classes.
   */
  const headFor = async (manifest: DatasetManifest): Promise<NonNullable<typeof head>> => {
    await useBackend(await currentRuntime(), 'inference');
    if (!head) {
      const kept = await loadHead();
      if (kept) head = {model: kept.model, spec: kept.meta.spec, classes: kept.meta.classes, datasetId: kept.meta.datasetId, seed: kept.meta.seed};
    }
    const why = 'it has to be trained first: random layers on top of block5 would send large random gradients into it and wreck what it learnt';
    if (!head) throw new NamedError(ErrorName.HeadNotTrained, `No trained head yet (step 3): ${why}.`);
    if (head.datasetId !== manifest.id) {
      throw new NamedError(
        ErrorName.HeadNotTrained,
        `The head was trained on another dataset or split (${head.classes.join(', ')}): train it on this one (step 3) — its test images must be new to it.`,
      );
    }
    return head;
  };

  /** A fresh VGG16 conv base from the loaded weights' bytes, on the current backend. */
  const freshConvBase = (size: number): tf.LayersModel => {
    if (!weights) throw new NamedError(ErrorName.WeightsNotLoaded, 'Load VGG16 weights first.');
    const tensors = decodeVgg16Bundle(weights.bundle);
    try {
      return buildVgg16(size, tensors);
    } finally {
      tf.dispose(tensors);
    }
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
    built = {model: freshConvBase(size), backend, size};
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
          channels: weights.info.widths.at(-1)!,
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
          featureShape: featureShapeFor(spec.inputSize, spec.channels),
          classCount: manifest.classes.length,
          options: {...DEFAULT_HEAD_OPTIONS, ...options},
          signal,
          onEpoch: (log) => void Promise.resolve(onEpoch?.(log)).catch(() => {}),
        });
        head?.model.dispose();
        const seed = options.seed ?? DEFAULT_HEAD_OPTIONS.seed;
        head = {model: trained.model, spec, classes: manifest.classes, datasetId: manifest.id, seed};
        // Kept for the next visit; losing that (a full disk) must not lose the run.
        await saveHead(trained.model, {spec, datasetId: manifest.id, classes: manifest.classes, featureShape: featureShapeFor(spec.inputSize, spec.channels), seed}).catch(
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
        const trainedHead = await headFor(manifest);
        const checkpoint = request.resume ? await checkpoints.load() : null;
        if (request.resume && !checkpoint) throw new NamedError(ErrorName.NotFineTuned, 'There is no checkpoint to resume from.');
        const spec = checkpoint?.manifest.spec ?? trainedHead.spec;
        if (checkpoint && (checkpoint.manifest.datasetId !== manifest.id || JSON.stringify(checkpoint.manifest.spec) !== JSON.stringify(trainedHead.spec))) {
          throw new NamedError(ErrorName.InvalidRequest, 'The checkpoint belongs to another dataset, split or head: start a new run.');
        }
        if (weights.info.id !== spec.weightsId) {
          throw new NamedError(ErrorName.InvalidRequest, 'The head was trained on features of other weights: load those weights, or train the head again.');
        }
        // A resumed run keeps its settings (so it ends as the uninterrupted one would); only the
        // number of epochs and the batch size (smaller after running out of memory) may change.
        const options: FineTuneOptions = checkpoint
          ? {...checkpoint.manifest.options, epochs: request.epochs ?? checkpoint.manifest.options.epochs, batchSize: request.batchSize ?? checkpoint.manifest.options.batchSize}
          : {...DEFAULT_FINE_TUNE, ...withoutResume(request)};
        const backend = await useBackend(await currentRuntime(), 'training');
        disposeModel(); // one VGG16 copy on the backend at a time
        const head = await copyOnBackend(trainedHead.model, spec, manifest.classes.length, options.seed);
        let convBase: tf.LayersModel;
        try {
          convBase = freshConvBase(spec.inputSize);
        } catch (err) {
          head.dispose();
          throw err;
        }
        try {
          const result = await fineTune({
            convBase,
            head,
            train: imagesOf(manifest, 'train'),
            validation: imagesOf(manifest, 'validation'),
            classCount: manifest.classes.length,
            classes: manifest.classes,
            spec,
            datasetId: manifest.id,
            options,
            readPixels: (images, jobSignal) => datasets.readPixels(images, spec.inputSize, jobSignal),
            checkpoints,
            ...(checkpoint ? {resume: checkpoint} : {}),
            signal,
            onEpoch: (log) => void Promise.resolve(onEpoch?.(log)).catch(() => {}),
          });
          result.model.dispose(); // it lives on in the checkpoint
          return {history: result.history, resumedFrom: checkpoint?.manifest.epoch ?? 0, backend};
        } catch (err) {
          if (hasErrorName(err, ErrorName.GpuDeviceLost)) runtime = null; // choose again, without the lost device
          throw err;
        }
      });
    },

    /** `count` augmented versions of one dataset image (RGB, size×size each), drawn from `seed`. */
    augmentPreview(image: number, count: number, seed: number, augment: AugmentSettings, size = 150): Promise<Uint8Array> {
      return serially(async () => {
        if (!Number.isInteger(count) || count < 1 || count > 64) throw new NamedError(ErrorName.InvalidRequest, `A preview shows 1 to 64 images; got ${count}.`);
        // The training backend: the very transform fine-tuning will use.
        await useBackend(await currentRuntime(), 'training');
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
      return (
        manifest && {
          datasetId: manifest.datasetId,
          epoch: manifest.epoch,
          epochs: manifest.options.epochs,
          history: manifest.history,
          spec: manifest.spec,
          options: manifest.options,
        }
      );
    },

    /**
     * Scores the fine-tuned model on a split (test by default), from the
     * images themselves (block5 changed: cached features no longer apply).
     * The model is rebuilt from the last checkpoint on the inference backend,
     * so this works after a reload too.
     */
    evaluateFineTuned(split: Split = 'test'): Promise<EvaluationResult> {
      return serially(async () => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before evaluating.');
        const checkpoint = await checkpoints.load();
        if (!checkpoint || checkpoint.manifest.datasetId !== manifest.id) {
          throw new NamedError(ErrorName.NotFineTuned, 'No fine-tuned model for this dataset yet: run step 4 first.');
        }
        const {spec, classes} = checkpoint.manifest;
        if (weights?.info.id !== spec.weightsId) {
          throw new NamedError(ErrorName.WeightsNotLoaded, 'Load the VGG16 weights this model was fine-tuned from.');
        }
        await useBackend(await currentRuntime(), 'inference');
        const head = buildHead(featureShapeFor(spec.inputSize, spec.channels), classes.length, checkpoint.manifest.options.seed);
        const model = buildFineTuneModel(freshConvBase(spec.inputSize), head, spec.inputSize);
        try {
          loadTrainableWeights(model, checkpoint);
          const scored = await evaluateOnImages(model, imagesOf(manifest, split), classes.length, async (batch) => {
            const pixels = await datasets.readPixels(batch, spec.inputSize);
            return tf.tidy(() => preprocess(tf.tensor4d(pixels, [batch.length, spec.inputSize, spec.inputSize, 3], 'int32'), spec.preprocessing));
          });
          return {split, model: 'fine-tuned', classes, datasetId: manifest.id, ...scored};
        } finally {
          model.dispose();
        }
      });
    },

    /** Scores the trained head on a split (the test split by default) from cached features. */
    evaluateHead(split: Split = 'test'): Promise<EvaluationResult> {
      return serially(async () => {
        const manifest = datasets.manifest();
        if (!manifest) throw new NamedError(ErrorName.NoDataset, 'Import a dataset before evaluating.');
        const {model, spec, classes} = await headFor(manifest); // on the inference backend
        const input = await loadFeatureSet(manifest, split, spec);
        const scored = await evaluateClassifier(model, input, featureShapeFor(spec.inputSize, spec.channels), classes.length);
        return {split, model: 'head', classes, datasetId: manifest.id, ...scored};
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
async function copyOnBackend(head: tf.LayersModel, spec: FeatureSpec, classCount: number, seed: number): Promise<tf.LayersModel> {
  const read = await Promise.all(head.getWeights().map(async (w) => ({values: (await w.data()) as Float32Array, shape: w.shape})));
  const copy = buildHead(featureShapeFor(spec.inputSize, spec.channels), classCount, seed);
  const values = read.map((w) => tf.tensor(w.values, w.shape));
  try {
    copy.setWeights(values);
  } finally {
    tf.dispose(values);
  }
  return copy;
}

function withoutResume<T extends {resume?: boolean}>(request: T): Omit<T, 'resume'> {
  const {resume: _resume, ...rest} = request;
  return rest;
}

