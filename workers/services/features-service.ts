import {transfer} from 'comlink';
import {DEFAULT_FEATURE_OPTIONS} from '../../src/shared/defaults.ts';
import type {
  BackendName,
  FeatureRequest,
  FeatureResult,
  FeatureRunOptions,
  FeatureRunResult,
  FeatureSpec,
  Progress,
} from '../../src/shared/protocol/index.ts';
import {cacheDatasetFeatures} from '../features/cache-dataset-features.ts';
import {extractFeatures} from '../features/extract-features.ts';
import {clearFeatures} from '../features/feature-cache.ts';
import {VGG16_OUTPUT_LAYER} from '../model/vgg16-layout.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import type {Session} from '../session/session.ts';

/** Step 2: VGG16's bottleneck features, cached per image. */
export function createFeaturesService(session: Session) {
  return {
    /**
     * Puts every dataset image's bottleneck features in the cache: cached
     * ones are reused, the rest computed on the inference backend.
     */
    compute(jobId: string, options: FeatureRunOptions, onEvent?: Listener<Progress>): Promise<FeatureRunResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('computing features');
        const weights = session.requireWeights('computing features');
        const {inputSize, preprocessing, resize, batchSize} = {...DEFAULT_FEATURE_OPTIONS, ...options};
        const spec: FeatureSpec = {
          weightsId: weights.info.id,
          layer: VGG16_OUTPUT_LAYER,
          channels: weights.info.widths.at(-1)!,
          inputSize,
          preprocessing,
          resize,
        };
        const report = progressReporter('features', onEvent);
        const started = performance.now();
        let backend: BackendName | null = null;
        const {fromCache, computed, computeSeconds} = await cacheDatasetFeatures({
          hashes: manifest.images.map((image) => image.hash),
          spec,
          batchSize,
          readPixels: (indices, jobSignal) => session.dataset.readPixels(indices, inputSize, resize, jobSignal),
          model: () => session.convBase(inputSize, backend!),
          signal,
          onProgress: (done, total, cached) => report(done, total, {cached}),
          beforeCompute: async () => {
            backend = await session.onBackend('inference');
          },
        });
        return {
          spec,
          datasetId: manifest.id,
          total: manifest.images.length,
          fromCache,
          computed,
          seconds: (performance.now() - started) / 1000,
          imagesPerSecond: computed > 0 ? computed / computeSeconds : null,
          backend,
        };
      });
    },

    /** block5_pool features of images the caller sends, on the inference backend. */
    extract(jobId: string, request: FeatureRequest, onEvent?: Listener<Progress>): Promise<FeatureResult> {
      return session.job(jobId, onEvent, async (signal) => {
        session.requireWeights('extracting features');
        const backend = await session.onBackend('inference');
        const model = session.convBase(request.size, backend);
        const report = progressReporter('features', onEvent);
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

    /** Empties the feature cache (every dataset and setting); returns how many entries went. */
    clear(): Promise<number> {
      return session.serially(() => clearFeatures());
    },
  };
}
