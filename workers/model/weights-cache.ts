import {del, entries, get, set, type UseStore} from 'idb-keyval';
import {createStore} from '../storage/database.ts';
import type * as tf from '@tensorflow/tfjs';
import type {FeatureDefaults} from '../../src/shared/protocol/index.ts';

/** Bump when the stored shape changes; old entries then read as misses. */
const SCHEMA = 1;

export interface CachedWeights {
  schema: number;
  id: string;
  url: string;
  /** How to name the weights after a reload (e.g. the .h5 file's name). */
  label?: string;
  /** What the model.json said the weights were trained with. */
  defaults?: FeatureDefaults;
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
  savedAt: number;
}

let defaultStore: UseStore | undefined;

/** The IndexedDB store for downloaded weights (one database per cache, so each can be cleared alone). */
export function weightsStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-weights', 'bundles');
  return defaultStore;
}

function key(url: string): string {
  return `v${SCHEMA}:${url}`;
}

export async function readCachedWeights(url: string, store = weightsStore()): Promise<CachedWeights | undefined> {
  const entry = await get<CachedWeights>(key(url), store);
  return entry?.schema === SCHEMA ? entry : undefined;
}

/**
 * Resolves once the transaction has committed; rejects with the browser's
 * error (e.g. QuotaExceededError). `as` keys the entry by something other than its
 * URL (file loads are keyed by their id).
 */
export async function writeCachedWeights(entry: Omit<CachedWeights, 'schema' | 'savedAt'>, store = weightsStore(), as = entry.url): Promise<void> {
  await set(key(as), {...entry, schema: SCHEMA, savedAt: Date.now()} satisfies CachedWeights, store);
}

/** Every kept copy with its key in the store (each value read once: the storage list measures them). */
export async function listCachedWeights(store = weightsStore()): Promise<Array<{key: string; entry: CachedWeights}>> {
  const all = await entries<string, CachedWeights>(store);
  return all.filter(([, entry]) => entry?.schema === SCHEMA).map(([key, entry]) => ({key, entry}));
}

/** Forgets one kept copy, by its key in the store; resolves once the deletion has committed. */
export async function deleteCachedWeights(key: string, store = weightsStore()): Promise<void> {
  await del(key, store);
}
