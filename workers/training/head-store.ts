import * as tf from '@tensorflow/tfjs';
import {del, get, set, type UseStore} from 'idb-keyval';
import {createStore} from '../storage/database.ts';
import type {FeatureSpec, HeadInfo, HeadOptions} from '../../src/shared/protocol/index.ts';
import type {StoredTensor} from './checkpoint-store.ts';
import {buildHead} from './head.ts';
import {fromStored, toStored} from './stored-tensors.ts';

const SCHEMA = 3;

/** A trained head as kept in IndexedDB: small (a few MB), so a reload can evaluate or fine-tune without retraining. */
export interface StoredHead {
  schema: number;
  spec: FeatureSpec;
  /** The dataset (with its split) it was trained on: scoring it on another split's test images would leak. */
  datasetId: string;
  classes: string[];
  featureShape: number[];
  seed: number;
  /** Its settings (missing in heads kept before they were recorded; not worth a new schema). */
  options?: HeadOptions;
  /** When it was trained (ms since the epoch). */
  trainedAt: number;
  weights: StoredTensor[];
}

let defaultStore: UseStore | undefined;

export function headStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-heads', 'heads');
  return defaultStore;
}

export async function saveHead(
  model: tf.LayersModel,
  meta: Pick<StoredHead, 'spec' | 'datasetId' | 'classes' | 'featureShape' | 'seed' | 'options' | 'trainedAt'>,
  store = headStore(),
): Promise<void> {
  await putStoredHead(await storedHeadOf(model, meta), store);
}

/** Keeps a head as it was stored elsewhere (a project being opened). */
export async function putStoredHead(stored: Omit<StoredHead, 'schema'>, store = headStore()): Promise<void> {
  await set('current', {...stored, schema: SCHEMA} satisfies StoredHead, store);
}

/** The kept head as stored (its weights as bytes), or undefined; nothing is rebuilt. */
export async function readStoredHead(store = headStore()): Promise<StoredHead | undefined> {
  const stored = await get<StoredHead>('current', store);
  return stored?.schema === SCHEMA ? stored : undefined;
}

/** Forgets the kept head; resolves once the deletion has committed. */
export async function deleteStoredHead(store = headStore()): Promise<void> {
  await del('current', store);
}

/** The kept head, rebuilt (on the current backend); null if there is none. */
export async function loadHead(store = headStore()): Promise<{model: tf.LayersModel; info: Omit<HeadInfo, 'restored'>} | null> {
  const stored = await readStoredHead(store);
  return stored ? headFromStored(stored) : null;
}

/** A stored head rebuilt on the current backend. */
export function headFromStored(stored: Omit<StoredHead, 'schema'>): {model: tf.LayersModel; info: Omit<HeadInfo, 'restored'>} {
  const model = buildHead(stored.featureShape, stored.classes.length, stored.seed);
  const tensors = stored.weights.map(fromStored);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  const {spec, datasetId, classes, seed, options, trainedAt} = stored;
  return {model, info: {spec, datasetId, classes, seed, ...(options ? {options} : {}), trainedAt}};
}

/** A head as it would be stored: its weights read (on the backend that holds them) and what it was trained on. */
export async function storedHeadOf(
  model: tf.LayersModel,
  meta: Pick<StoredHead, 'spec' | 'datasetId' | 'classes' | 'featureShape' | 'seed' | 'options' | 'trainedAt'>,
): Promise<Omit<StoredHead, 'schema'>> {
  const weights = await toStored(model.weights.map((w) => ({name: w.originalName, tensor: w.read()})));
  const {spec, datasetId, classes, featureShape, seed, options, trainedAt} = meta;
  return {spec, datasetId, classes, featureShape, seed, ...(options ? {options} : {}), trainedAt, weights};
}
