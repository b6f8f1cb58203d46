import type * as tf from '@tensorflow/tfjs';
import type {UseStore} from 'idb-keyval';
import type {FeatureSpec} from '../../src/shared/protocol.ts';
import {betweenBatches} from '../runtime/jobs.ts';
import {extractFeatures} from './extract-features.ts';
import {cachedKeys, featureKey, featureStore, writeFeatures} from './feature-cache.ts';

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

/**
 * Makes sure every image of the dataset has its features in IndexedDB.
 * Cached ones are not touched (a full cache does no model work at all); the
 * rest are computed in batches, decoding the next batch while the backend
 * works on this one, and each batch is written in its own transaction, so
 * a cancel or a full disk keeps every batch already written.
 */
export async function cacheDatasetFeatures(job: CacheFeaturesJob): Promise<{fromCache: number; computed: number}> {
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
  if (missing.length === 0) return {fromCache, computed: 0};

  await job.beforeCompute?.();
  const model = job.model();
  const batchSize = Math.max(1, Math.floor(job.batchSize));
  const batches: number[][] = [];
  for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));

  let done = fromCache;
  let next: Promise<Uint8Array> | null = job.readPixels(batches[0]!, signal);
  try {
    for (const [k, batch] of batches.entries()) {
      await betweenBatches(signal);
      const pixels = await next!;
      // Decode the next batch while the backend computes this one.
      next = k + 1 < batches.length ? job.readPixels(batches[k + 1]!, signal) : null;
      const features = await extractFeatures(model, pixels, batch.length, {batchSize: batch.length, preprocessing: spec.preprocessing});
      const size = features.length / batch.length;
      await writeFeatures(
        batch.map((index, j) => [keys[index]!, features.slice(j * size, (j + 1) * size)]),
        store,
      );
      done += batch.reduce((n, index) => n + copies.get(keys[index]!)!, 0);
      job.onProgress?.(done, total, fromCache);
    }
  } finally {
    next?.catch(() => {}); // a prefetch left behind by a failure must not become an unhandled rejection
  }
  return {fromCache, computed: missing.length};
}
