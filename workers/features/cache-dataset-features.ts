import type * as tf from '@tensorflow/tfjs';
import type {UseStore} from 'idb-keyval';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {FeatureSpec} from '../../src/shared/protocol/index.ts';
import {cachedKeys, featureKey, featureStore, writeFeatures} from './feature-cache.ts';
import {runFeaturePipeline} from './feature-pipeline.ts';

export interface CacheFeaturesJob {
  /** The dataset's images (their content hashes key the cache). */
  hashes: readonly string[];
  spec: FeatureSpec;
  batchSize: number;
  /** Decoded RGB pixels of these image indices at spec.inputSize. */
  readPixels: (indices: number[], signal?: AbortSignal) => Promise<Uint8Array>;
  /** Runs once before any model work (e.g. switching to the inference backend); skipped on a full cache hit. */
  beforeCompute?: () => Promise<void>;
  /** The conv base; asked for only when some features are missing. */
  model: () => tf.LayersModel;
  store?: UseStore;
  signal?: AbortSignal;
  /** Images whose features are ready, of all, and how many came from the cache. */
  onProgress?: (done: number, total: number, cached: number) => void;
}

export interface CacheFeaturesResult {
  fromCache: number;
  computed: number;
  /** Time spent in the batch loop alone (decode, model, writes), without model build or warm-up. */
  computeSeconds: number;
}

/**
 * Makes sure every image of the dataset has its features in IndexedDB.
 * Cached ones are not touched (a full cache does no model work at all); the
 * rest go through the feature pipeline, and each batch is written in its
 * own transaction, so a cancel or a full disk keeps every batch already written.
 */
export async function cacheDatasetFeatures(job: CacheFeaturesJob): Promise<CacheFeaturesResult> {
  const {spec, signal} = job;
  const store = job.store ?? featureStore();
  const keys = job.hashes.map((hash) => featureKey(spec, hash));
  const present = await cachedKeys(keys, store);
  // One computation per distinct image: the same picture twice has one key.
  const copies = new Map<string, number>();
  for (const key of keys) copies.set(key, (copies.get(key) ?? 0) + 1);
  const missing: number[] = [];
  const queued = new Set<string>();
  let fromCache = 0;
  keys.forEach((key, index) => {
    if (present.has(key)) fromCache++;
    else if (!queued.has(key)) {
      queued.add(key);
      missing.push(index);
    }
  });
  const total = keys.length;
  job.onProgress?.(fromCache, total, fromCache);
  if (missing.length === 0) return {fromCache, computed: 0, computeSeconds: 0};

  await job.beforeCompute?.();
  const model = job.model();
  const batchSize = Math.max(1, Math.floor(job.batchSize));
  const batches: number[][] = [];
  for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));

  let done = fromCache;
  let written = 0;
  const started = performance.now();
  try {
    await runFeaturePipeline({
      model,
      batchSizes: batches.map((b) => b.length),
      preprocessing: spec.preprocessing,
      signal,
      load: (k) => job.readPixels(batches[k]!, signal),
      consume: async (k, features) => {
        const batch = batches[k]!;
        const size = features.length / batch.length;
        await writeFeatures(batch.map((index, j) => [keys[index]!, features.slice(j * size, (j + 1) * size)]), store);
        written += batch.length;
        done += batch.reduce((n, index) => n + copies.get(keys[index]!)!, 0);
        job.onProgress?.(done, total, fromCache);
      },
    });
  } catch (err) {
    if (hasErrorName(err, ErrorName.StorageQuota)) throw await explainQuota(err, missing.length - written, model);
    throw err;
  }
  return {fromCache, computed: missing.length, computeSeconds: (performance.now() - started) / 1000};
}

/** The quota error, with what the rest of the dataset needs and what the browser says it has. */
async function explainQuota(err: unknown, remaining: number, model: tf.LayersModel): Promise<NamedError> {
  const featureBytes = (model.outputs[0]!.shape as number[]).slice(1).reduce((a, b) => a * b, 1) * 4;
  const needed = remaining * featureBytes;
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  const room = estimate?.quota !== undefined ? ` The browser reports ${formatBytes(estimate.usage ?? 0)} used of ${formatBytes(estimate.quota)}.` : '';
  return new NamedError(
    ErrorName.StorageQuota,
    `The browser has no room for more features: ${remaining} images still need about ${formatBytes(needed)}.${room} Every batch written so far is kept; clear cached features of other settings, free space, or use a smaller input size.`,
    {...(err as {details?: object}).details, remainingImages: remaining, remainingBytes: needed},
  );
}
