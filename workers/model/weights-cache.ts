import {del, get, keys, set, type UseStore} from 'idb-keyval';
import {storedBytes} from '../storage/stored-bytes.ts';
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
  const written = {...entry, schema: SCHEMA, savedAt: Date.now()} satisfies CachedWeights;
  await set(key(as), written, store);
  remember(store, key(as), written);
}

/** A kept copy as the storage list shows it: everything but the bytes themselves, and how many there are. */
export interface KeptWeights {
  key: string;
  entry: Omit<CachedWeights, 'data'>;
  bytes: number;
}

/**
 * What each key holds, measured when this worker wrote or first listed it:
 * reading a 58 MB value again to list it would stall the worker for nothing.
 * (Another tab that writes a key again, the same URL loaded anew, usually writes the
 * same weights; at worst the figures are those of this worker's first look.)
 */
const measured = new WeakMap<UseStore, Map<string, KeptWeights>>();

function measuredIn(store: UseStore): Map<string, KeptWeights> {
  let known = measured.get(store);
  if (!known) measured.set(store, (known = new Map()));
  return known;
}

function remember(store: UseStore, key: string, {data, ...entry}: CachedWeights): KeptWeights {
  const kept = {key, entry, bytes: storedBytes(entry) + data.byteLength};
  measuredIn(store).set(key, kept);
  return kept;
}

/** Every kept copy with its key in the store; a value is read only the first time this worker lists it. */
export async function listCachedWeights(store = weightsStore()): Promise<KeptWeights[]> {
  const all = await keys<string>(store);
  const kept = await Promise.all(
    all.map(async (key) => {
      const known = measuredIn(store).get(key);
      if (known) return known;
      const entry = await get<CachedWeights>(key, store);
      return entry?.schema === SCHEMA ? remember(store, key, entry) : null;
    }),
  );
  return kept.filter((k) => k !== null);
}

/** Forgets one kept copy, by its key in the store; resolves once the deletion has committed. */
export async function deleteCachedWeights(key: string, store = weightsStore()): Promise<void> {
  await del(key, store);
  measuredIn(store).delete(key);
}
