import * as tf from '@tensorflow/tfjs';
import {del, get, set, type UseStore} from 'idb-keyval';
import {createStore} from '../storage/database.ts';
import type {FeatureSpec, HeadInfo} from '../../src/shared/protocol/index.ts';
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
  meta: Pick<StoredHead, 'spec' | 'datasetId' | 'classes' | 'featureShape' | 'seed' | 'trainedAt'>,
  store = headStore(),
): Promise<void> {
  const weights = await toStored(model.weights.map((w) => ({name: w.originalName, tensor: w.read()})));
  const {spec, datasetId, classes, featureShape, seed, trainedAt} = meta;
  await set('current', {spec, datasetId, classes, featureShape, seed, trainedAt, schema: SCHEMA, weights} satisfies StoredHead, store);
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
  if (!stored) return null;
  const model = buildHead(stored.featureShape, stored.classes.length, stored.seed);
  const tensors = stored.weights.map(fromStored);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  const {spec, datasetId, classes, seed, trainedAt} = stored;
  return {model, info: {spec, datasetId, classes, seed, trainedAt}};
}
