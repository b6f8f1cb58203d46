import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {Preprocessing} from '../../src/shared/protocol.ts';
import {preprocess} from '../model/preprocess.ts';
import {assertGpuAlive} from '../runtime/backends.ts';
import {betweenBatches} from '../runtime/jobs.ts';

export interface ExtractOptions {
  batchSize?: number;
  preprocessing?: Preprocessing;
  signal?: AbortSignal;
  /** Called with the number of images done after each batch. */
  onBatch?: (done: number) => void;
}

/**
 * Runs `count` RGB images through the frozen conv base in batches and
 * returns the flattened outputs. While the backend computes batch k, the
 * next batch is preprocessed and uploaded, so the GPU does not wait on it.
 * Cancellation is checked between batches; no tensor outlives a call.
 */
export async function extractFeatures(
  model: tf.LayersModel,
  pixels: Uint8Array,
  count: number,
  options: ExtractOptions = {},
): Promise<Float32Array> {
  const [, height, width, channels] = model.inputs[0]!.shape as number[];
  const imageBytes = height! * width! * channels!;
  if (pixels.length !== count * imageBytes) {
    throw new NamedError(
      ErrorName.InvalidRequest,
      `Expected ${count} images of ${width}×${height}×${channels} (${count * imageBytes} bytes), got ${pixels.length} bytes.`,
    );
  }
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
  const mode = options.preprocessing ?? 'caffe';
  const featureSize = (model.outputs[0]!.shape as number[]).slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * featureSize);

  const upload = (start: number): tf.Tensor4D => {
    const n = Math.min(batchSize, count - start);
    const slice = pixels.subarray(start * imageBytes, (start + n) * imageBytes);
    return tf.tidy(() => preprocess(tf.tensor4d(slice, [n, height!, width!, channels!], 'int32'), mode));
  };

  let next: tf.Tensor4D | null = count > 0 ? upload(0) : null;
  try {
    for (let start = 0; start < count; start += batchSize) {
      await betweenBatches(options.signal);
      assertGpuAlive();
      const input = next!;
      next = null;
      let output: tf.Tensor;
      try {
        output = model.predict(input) as tf.Tensor;
      } finally {
        input.dispose();
      }
      try {
        if (start + batchSize < count) next = upload(start + batchSize);
        out.set(await output.data<'float32'>(), start * featureSize);
      } finally {
        output.dispose();
      }
      options.onBatch?.(Math.min(start + batchSize, count));
    }
  } finally {
    next?.dispose();
  }
  return out;
}
