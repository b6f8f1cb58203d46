import * as tf from '@tensorflow/tfjs';
import type {Preprocessing} from '../../src/shared/protocol/index.ts';

/** ImageNet channel means in BGR order, as Keras's 'caffe' mode subtracts them. */
const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68];

/**
 * Turns RGB uint8 pixels [n, h, w, 3] into the network's input.
 * 'caffe' (Keras VGG16's own preprocess_input): RGB→BGR, minus the mean, no scaling.
 * 'rescale': the tutorial's `rescale=1/255`.
 */
export function preprocess(rgb: tf.Tensor4D, mode: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const x = rgb.toFloat();
    if (mode === 'rescale') return x.div(255);
    const bgr = x.reverse(-1);
    return bgr.sub(tf.tensor1d(CAFFE_BGR_MEAN));
  });
}

/** `count` square RGB uint8 images of `size`×`size`, one after another (as `readPixels` gives them), as the network's input. */
export function preprocessPixels(pixels: Uint8Array, count: number, size: number, mode: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => preprocess(tf.tensor4d(pixels, [count, size, size, 3], 'int32'), mode));
}
