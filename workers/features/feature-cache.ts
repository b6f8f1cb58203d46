import {clear, delMany, get, getMany, keys, setMany, type UseStore} from 'idb-keyval';
import {createStore} from '../storage/database.ts';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {FeatureSpec} from '../../src/shared/protocol/index.ts';

/** Bump when features are computed differently; every old entry then misses. */
export const FEATURE_SCHEMA = 2;

let defaultStore: UseStore | undefined;

/** Bottleneck features, one entry per image (32 KB each at 150×150). */
export function featureStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-features', 'features');
  return defaultStore;
}

/**
 * The cache key of one image's features. Any change to the weights, layer,
 * input size, resize, preprocessing or schema gives another key: a miss,
 * never a wrong hit. (Schema 2: the resize joined the key; before it, the
 * browser's canvas resized, and its pixels differed between browsers.)
 */
export function featureKey(spec: FeatureSpec, imageHash: string): string {
  return [`f${FEATURE_SCHEMA}`, spec.weightsId, spec.layer, spec.inputSize, spec.resize, spec.preprocessing, imageHash].join('|');
}

/** A set of cached features: every entry made with one spec (null: entries of an earlier schema, which nothing reads). */
export interface FeatureSet {
  /** The key without its image hash; names the set for deleting it. */
  prefix: string;
  spec: Omit<FeatureSpec, 'channels'> | null;
  /** The image hash of every entry. */
  hashes: string[];
  bytes: number;
}

/** Entries of an earlier schema, grouped together. */
const STALE = 'stale';

/** A key's set and image; a key of an earlier schema belongs to the stale set. */
function parseKey(key: string): {prefix: string; spec: FeatureSet['spec']; hash: string} {
  const parts = key.split('|');
  if (parts[0] !== `f${FEATURE_SCHEMA}` || parts.length < 7) return {prefix: STALE, spec: null, hash: key};
  const [layer, inputSize, resize, preprocessing, hash] = parts.slice(-5) as [FeatureSpec['layer'], string, FeatureSpec['resize'], FeatureSpec['preprocessing'], string];
  return {
    prefix: parts.slice(0, -1).join('|'),
    spec: {weightsId: parts.slice(1, -5).join('|'), layer, inputSize: Number(inputSize), resize, preprocessing},
    hash,
  };
}

/**
 * The cache, set by set, from its keys alone plus one entry per set: every
 * entry of a spec holds features of the same shape, so the set's bytes are
 * that entry's times the count (reading 32 KB an image to count them would
 * read the whole cache).
 */
export async function listFeatureSets(store = featureStore()): Promise<FeatureSet[]> {
  const sets = new Map<string, FeatureSet & {first: string}>();
  for (const key of await keys<string>(store)) {
    const {prefix, spec, hash} = parseKey(key);
    let set = sets.get(prefix);
    if (!set) sets.set(prefix, (set = {prefix, spec, hashes: [], bytes: 0, first: key}));
    set.hashes.push(hash);
  }
  return Promise.all(
    [...sets.values()].map(async ({first, ...set}) => {
      const sample = await get<ArrayBuffer | undefined>(first, store);
      return {...set, bytes: (sample instanceof ArrayBuffer ? sample.byteLength : 0) * set.hashes.length};
    }),
  );
}

/** Deletes every entry of one set (by its prefix) in one transaction; returns how many went. */
export async function deleteFeatureSet(prefix: string, store = featureStore()): Promise<number> {
  const doomed = (await keys<string>(store)).filter((key) => parseKey(key).prefix === prefix);
  await delMany(doomed, store);
  return doomed.length;
}

/** Which of these keys have an entry (keys only: no feature is read). */
export async function cachedKeys(wanted: readonly string[], store = featureStore()): Promise<Set<string>> {
  const present = new Set(await keys<string>(store));
  return new Set(wanted.filter((k) => present.has(k)));
}

/** Reads many entries in one transaction; undefined where there is none. */
export async function readFeatures(keys: readonly string[], store = featureStore()): Promise<(Float32Array | undefined)[]> {
  const values = await getMany<ArrayBuffer | undefined>([...keys], store);
  return values.map((v) => (v instanceof ArrayBuffer ? new Float32Array(v) : undefined));
}

/**
 * Writes a batch in one transaction and resolves only once it has
 * committed. A full quota becomes StorageQuotaError; batches written before
 * stay, since each batch is its own transaction.
 */
export async function writeFeatures(entries: ReadonlyArray<[string, Float32Array]>, store = featureStore()): Promise<void> {
  try {
    await setMany(
      entries.map(([key, value]) => [key, value.buffer.byteLength === value.byteLength ? value.buffer : value.slice().buffer]),
      store,
    );
  } catch (err) {
    if ((err as Error).name === 'QuotaExceededError') {
      const bytes = entries.reduce((sum, [, v]) => sum + v.byteLength, 0);
      throw new NamedError(ErrorName.StorageQuota, `The browser has no room to store more features (this batch needed ${formatBytes(bytes)}).`, {
        batchBytes: bytes,
      });
    }
    throw err;
  }
}

/** Empties the feature cache; returns how many entries it held. */
export async function clearFeatures(store = featureStore()): Promise<number> {
  const count = (await keys(store)).length;
  await clear(store);
  return count;
}
