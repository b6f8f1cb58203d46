import * as tf from '@tensorflow/tfjs';
import type {StoredTensor} from './checkpoint-store.ts';

/** Tensors as bytes for IndexedDB (read on the backend that holds them). */
export async function toStored(named: ReadonlyArray<{name: string; tensor: tf.Tensor}>): Promise<StoredTensor[]> {
  return Promise.all(
    named.map(async ({name, tensor}) => ({
      name,
      shape: tensor.shape,
      dtype: tensor.dtype === 'int32' ? ('int32' as const) : ('float32' as const),
      data: (await tensor.data()).slice().buffer as ArrayBuffer,
    })),
  );
}

/** Stored bytes back as tensors on the current backend; the caller owns them. */
export function fromStored(stored: StoredTensor): tf.Tensor {
  const values = stored.dtype === 'int32' ? new Int32Array(stored.data) : new Float32Array(stored.data);
  return tf.tensor(values, stored.shape, stored.dtype);
}

/** Whether every float in these tensors is a number: a checkpoint must never hold NaN or ∞. */
export function allFinite(stored: readonly StoredTensor[]): boolean {
  return stored.every((s) => s.dtype === 'int32' || new Float32Array(s.data).every(Number.isFinite));
}
