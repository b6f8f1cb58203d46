import type * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {Preprocessing} from '../../src/shared/protocol/index.ts';
import {runFeaturePipeline} from './feature-pipeline.ts';

export interface ExtractOptions {
  batchSize?: number;
  preprocessing?: Preprocessing;
  signal?: AbortSignal;
  /** Called with the number of images done after each batch. */
  onBatch?: (done: number) => void;
}

/**
 * Runs `count` RGB images (given as pixels) through the frozen conv base
 * in batches and returns the flattened outputs, one image after another.
 */
export async function extractFeatures(
  model: tf.LayersModel,
  pixels: Uint8Array,
  count: number,
  options: ExtractOptions = {},
): Promise<Float32Array> {
  const [, height, width, channels] = model.inputs[0]!.shape as number[];
  const imageBytes = height! * width! * channels!;
  const featureSize = (model.outputs[0]!.shape as number[]).slice(1).reduce((a, b) => a * b, 1);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
  const batchSizes: number[] = [];
  for (let start = 0; start < count; start += batchSize) batchSizes.push(Math.min(batchSize, count - start));
  if (pixels.length !== count * imageBytes) {
    throw new NamedError(
      ErrorName.InvalidRequest,
      `Expected ${count} images of ${width}×${height}×${channels} (${count * imageBytes} bytes), got ${pixels.length} bytes.`,
    );
  }
  const out = new Float32Array(count * featureSize);
  await runFeaturePipeline({
    model,
    batchSizes,
    preprocessing: options.preprocessing ?? 'caffe',
    signal: options.signal,
    load: async (k) => pixels.subarray(k * batchSize * imageBytes, (k * batchSize + batchSizes[k]!) * imageBytes),
    consume: (k, features) => {
      out.set(features, k * batchSize * featureSize);
      options.onBatch?.(Math.min((k + 1) * batchSize, count));
    },
  });
  return out;
}
