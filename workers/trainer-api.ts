import * as tf from '@tensorflow/tfjs';
import {releaseProxy, transfer, type Remote} from 'comlink';
import {ErrorName, NamedError} from '../src/shared/errors.ts';
import type {
  BackendName,
  BackendOverrides,
  DatasetManifest,
  ImportLimits,
  ImportOptions,
  FeatureRequest,
  FeatureResult,
  MemoryReport,
  RuntimeReport,
  WeightsInfo,
  WeightsSource,
} from '../src/shared/protocol.ts';
import {DatasetSession} from './dataset/dataset-session.ts';
import {extractFeatures} from './features/extract-features.ts';
import {loadVgg16Weights, type LoadedWeights} from './model/load-weights.ts';
import {decodeVgg16Bundle} from './model/weights-bundle.ts';
import {buildVgg16} from './model/vgg16.ts';
import {chooseBackends, useBackend} from './runtime/backends.ts';
import {beginJob, cancelJob, endJob} from './runtime/jobs.ts';
import {progressReporter, type ProgressCallback} from './runtime/progress.ts';

/**
 * The worker's API as plain functions over one session's state. No
 * Comlink wiring here beyond releasing callback proxies, so tests can call
 * it directly or over a MessageChannel.
 */
export function createTrainerApi() {
  // Memoised: backend start-up and VGG16 builds are expensive; do each once.
  let runtime: Promise<RuntimeReport> | null = null;
  let weights: LoadedWeights | null = null;
  /** Models by input size, all on `modelsBackend`: tensors never move between backends. */
  const models = new Map<number, tf.LayersModel>();
  let modelsBackend: BackendName | null = null;
  const datasets = new DatasetSession();

  const ensureRuntime = (overrides?: BackendOverrides): Promise<RuntimeReport> => {
    if (overrides || !runtime) {
      runtime = chooseBackends(overrides).catch((err: unknown) => {
        runtime = null;
        throw err;
      });
    }
    return runtime;
  };

  const disposeModels = (): void => {
    for (const model of models.values()) model.dispose();
    models.clear();
  };

  /** The conv base for an input size on the current backend, built from the loaded weights. */
  const modelFor = (inputSize: number, backend: BackendName): tf.LayersModel => {
    if (!weights) {
      throw new NamedError(ErrorName.WeightsNotLoaded, 'Load VGG16 weights before extracting features.');
    }
    if (modelsBackend !== backend) {
      disposeModels();
      modelsBackend = backend;
    }
    let model = models.get(inputSize);
    if (!model) {
      const tensors = decodeVgg16Bundle(weights.bundle);
      try {
        model = buildVgg16(inputSize, tensors);
      } finally {
        tf.dispose(tensors);
      }
      models.set(inputSize, model);
    }
    return model;
  };

  return {
    /** The backend per phase and why; re-chooses when overrides are given. */
    configureRuntime(overrides?: BackendOverrides): Promise<RuntimeReport> {
      return ensureRuntime(overrides);
    },

    async loadWeights(source: WeightsSource): Promise<WeightsInfo> {
      await ensureRuntime();
      const loaded = await loadVgg16Weights(source);
      disposeModels();
      weights = loaded;
      return loaded.info;
    },

    weightsInfo(): WeightsInfo | null {
      return weights?.info ?? null;
    },

    /** block5_pool features of a batch of images, on the inference backend. */
    async extractFeatures(
      jobId: string,
      request: FeatureRequest,
      onProgress?: Remote<ProgressCallback> | ProgressCallback,
    ): Promise<FeatureResult> {
      const signal = beginJob(jobId);
      try {
        const backend = await useBackend(await ensureRuntime(), 'inference');
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
        return {features, shape: [request.count, shape[1]!, shape[2]!, shape[3]!], backend};
      } finally {
        endJob(jobId);
        releaseCallback(onProgress);
      }
    },

    /**
     * Imports a zipped image dataset. The File arrives as is (structured
     * clone shares it; the main thread never reads the archive).
     */
    async importDataset(
      jobId: string,
      file: File,
      options: ImportOptions = {},
      onProgress?: Remote<ProgressCallback> | ProgressCallback,
      limits?: Partial<ImportLimits>,
    ): Promise<DatasetManifest> {
      const signal = beginJob(jobId);
      try {
        const report = progressReporter('import', onProgress);
        return await datasets.importZip(file, file.name, options, {
          signal,
          limits,
          onEntry: (done, total, images) => report(done, total, {images}),
        });
      } finally {
        endJob(jobId);
        releaseCallback(onProgress);
      }
    },

    /** The dataset kept from an earlier visit, or null. */
    restoreDataset(): Promise<DatasetManifest | null> {
      return datasets.restore();
    },

    /** Draws the train/validation/test split again (class-folder zips only). */
    resplitDataset(options: ImportOptions): Promise<DatasetManifest> {
      return datasets.resplit(options);
    },

    /** Images of the dataset as RGB uint8, size×size each, one after another. */
    async datasetPixels(indices: number[], size: number): Promise<Uint8Array> {
      const pixels = await datasets.readPixels(indices, size);
      return transfer(pixels, [pixels.buffer]);
    },

    /** Asks a running job to stop at its next batch boundary. */
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
