import {del, get, set, type UseStore} from 'idb-keyval';
import {createStore} from '../storage/database.ts';
import type {ImportOptions} from '../../src/shared/protocol/index.ts';
import type {ArchiveScan} from './scan-archive.ts';

/**
 * The imported dataset survives a reload. What is kept: the zip itself (as
 * the Blob the user dropped) plus the scan (paths, hashes, thumbnails).
 * Not decoded pixels: at 150×150 they take ~67 kB an image, often more than
 * the JPEGs they came from, and they would pin one input size; the zip
 * serves any input size and full-resolution augmentation, read with random
 * access one image at a time.
 */
const SCHEMA = 1;
const KEY = 'current';

export interface StoredDataset {
  schema: number;
  zip: Blob;
  scan: ArchiveScan;
  options: ImportOptions;
  savedAt: number;
}

let defaultStore: UseStore | undefined;

export function datasetStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-datasets', 'datasets');
  return defaultStore;
}

/**
 * Resolves with the time it was saved once the transaction has committed;
 * rejects with the browser's error (e.g. QuotaExceededError).
 */
export async function saveDataset(entry: Omit<StoredDataset, 'schema' | 'savedAt'>, store = datasetStore()): Promise<number> {
  const savedAt = Date.now();
  await set(KEY, {...entry, schema: SCHEMA, savedAt} satisfies StoredDataset, store);
  return savedAt;
}

export async function loadStoredDataset(store = datasetStore()): Promise<StoredDataset | undefined> {
  const entry = await get<StoredDataset>(KEY, store);
  return entry?.schema === SCHEMA ? entry : undefined;
}

/** Forgets the kept dataset (the zip and its scan); resolves once the deletion has committed. */
export async function deleteStoredDataset(store = datasetStore()): Promise<void> {
  await del(KEY, store);
}
