import * as tf from '@tensorflow/tfjs';
import {createStore, get, set, type UseStore} from 'idb-keyval';
import type {FeatureSpec} from '../../src/shared/protocol.ts';
import {buildHead} from './head.ts';

const SCHEMA = 1;

/** A trained head as kept in IndexedDB: small (a few MB), so a reload can evaluate or fine-tune without retraining. */
export interface StoredHead {
  schema: number;
  spec: FeatureSpec;
  classes: string[];
  featureShape: number[];
  seed: number;
  weights: Array<{shape: number[]; data: ArrayBuffer}>;
}

let defaultStore: UseStore | undefined;

export function headStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-heads', 'heads');
  return defaultStore;
}

export async function saveHead(
  model: tf.LayersModel,
  meta: Pick<StoredHead, 'spec' | 'classes' | 'featureShape' | 'seed'>,
  store = headStore(),
): Promise<void> {
  const weights = await Promise.all(
    model.getWeights().map(async (w) => ({shape: w.shape, data: ((await w.data()) as Float32Array).slice().buffer})),
  );
  await set('current', {...meta, schema: SCHEMA, weights} satisfies StoredHead, store);
}

/** The kept head, rebuilt (on the current backend); null if there is none. */
export async function loadHead(store = headStore()): Promise<{model: tf.LayersModel; meta: StoredHead} | null> {
  const stored = await get<StoredHead>('current', store);
  if (stored?.schema !== SCHEMA) return null;
  const model = buildHead(stored.featureShape, stored.classes.length, stored.seed);
  const tensors = stored.weights.map((w) => tf.tensor(new Float32Array(w.data), w.shape));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  return {model, meta: stored};
}
