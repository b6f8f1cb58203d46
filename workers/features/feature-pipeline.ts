import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {Preprocessing} from '../../src/shared/protocol/index.ts';
import {preprocess} from '../model/preprocess.ts';
import {assertGpuAlive} from '../runtime/backends.ts';
import {betweenBatches, throwIfCancelled} from '../runtime/jobs.ts';

export interface PipelineJob {
  model: tf.LayersModel;
  /** Images per batch, batch by batch. */
  batchSizes: readonly number[];
  /** RGB uint8 pixels of batch k (at the model's input size). */
  load: (k: number) => Promise<Uint8Array>;
  /** Receives batch k's features (n × featureSize); the next output waits for the promise it returns. */
  consume: (k: number, features: Float32Array) => Promise<void> | void;
  preprocessing: Preprocessing;
  signal?: AbortSignal;
}

/**
 * Runs batches through the frozen conv base so the backend never waits:
 * while it computes batch k, batch k+1 is loaded (decoded), preprocessed
 * and uploaded, and batch k−1's features are being consumed (written to
 * IndexedDB). Cancellation is checked between batches. On any failure the
 * prefetch and the pending write are settled before returning, so nothing
 * of the job runs on after it ends, and no tensor outlives the call.
 */
export async function runFeaturePipeline(job: PipelineJob): Promise<void> {
  const {model, batchSizes, signal} = job;
  const [, height, width, channels] = model.inputs[0]!.shape as number[];
  const imageBytes = height! * width! * channels!;

  const upload = async (k: number): Promise<tf.Tensor4D> => {
    const pixels = await job.load(k);
    const n = batchSizes[k]!;
    if (pixels.length !== n * imageBytes) {
      throw new NamedError(
        ErrorName.InvalidRequest,
        `Expected ${n} images of ${width}×${height}×${channels} (${n * imageBytes} bytes), got ${pixels.length} bytes.`,
      );
    }
    return tf.tidy(() => preprocess(tf.tensor4d(pixels, [n, height!, width!, channels!], 'int32'), job.preprocessing));
  };

  // Promises started ahead are awaited later; marking them handled now keeps a failure that is
  // awaited a moment later from also being reported as an unhandled rejection.
  const ahead = <T>(promise: Promise<T>): Promise<T> => {
    promise.catch(() => {});
    return promise;
  };
  let next: Promise<tf.Tensor4D> | null = batchSizes.length > 0 ? ahead(upload(0)) : null;
  let consuming: Promise<void> = Promise.resolve();
  try {
    for (let k = 0; k < batchSizes.length; k++) {
      await betweenBatches(signal);
      assertGpuAlive();
      const input = await next!;
      next = null;
      let output: tf.Tensor;
      try {
        output = model.predict(input) as tf.Tensor;
      } finally {
        input.dispose();
      }
      try {
        if (k + 1 < batchSizes.length) next = ahead(upload(k + 1));
        const features = await output.data<'float32'>();
        if (!features.every(Number.isFinite)) {
          throw new NamedError(
            ErrorName.InvalidFeatures,
            `The ${tf.getBackend()} backend returned features that are not numbers (NaN or ∞). Nothing of this batch was stored; try another inference backend.`,
          );
        }
        await consuming;
        // Checked again at the write: a job stopped because the site's storage was cleared
        // must not write this batch into the new, empty database.
        consuming = ahead(
          Promise.resolve().then(() => {
            throwIfCancelled(signal);
            return job.consume(k, features);
          }),
        );
      } finally {
        output.dispose();
      }
    }
    await consuming;
  } finally {
    await consuming.catch(() => {});
    if (next) (await next.catch(() => null))?.dispose();
  }
}
