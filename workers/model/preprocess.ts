import * as tf from '@tensorflow/tfjs';
import type {Preprocessing} from '../../src/shared/protocol/index.ts';

/**
 * Each mode as a rule: x = (pixels in `channelOrder` − mean) × scale.
 * 'caffe' (Keras VGG16's own preprocess_input): BGR, minus the ImageNet
 * channel means, no scaling. 'rescale': the tutorial's `rescale=1/255`.
 */
export const PREPROCESSING_RULES: Record<Preprocessing, {channelOrder: 'RGB' | 'BGR'; mean: [number, number, number]; scale: number}> = {
  caffe: {channelOrder: 'BGR', mean: [103.939, 116.779, 123.68], scale: 1},
  rescale: {channelOrder: 'RGB', mean: [0, 0, 0], scale: 1 / 255},
};

/** Turns RGB uint8 pixels [n, h, w, 3] into the network's input, by the mode's rule. */
export function preprocess(rgb: tf.Tensor4D, mode: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const x = rgb.toFloat();
    if (mode === 'rescale') return x.div(255);
    const bgr = x.reverse(-1);
    return bgr.sub(tf.tensor1d(PREPROCESSING_RULES.caffe.mean));
  });
}

/** `count` square RGB uint8 images of `size`×`size`, one after another (as `readPixels` gives them), as the network's input. */
export function preprocessPixels(pixels: Uint8Array, count: number, size: number, mode: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => preprocess(tf.tensor4d(pixels, [count, size, size, 3], 'int32'), mode));
}
