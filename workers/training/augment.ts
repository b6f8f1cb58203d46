import * as tf from '@tensorflow/tfjs';
import type {AugmentSettings} from '../../src/shared/protocol/index.ts';

/** One image's random transform, as Keras's get_random_transform draws it. */
export interface AugmentParams {
  /** Rotation, degrees. */
  theta: number;
  /** Shift along rows (Keras's `tx`, from height_shift_range), pixels. */
  tx: number;
  /** Shift along columns (Keras's `ty`, from width_shift_range), pixels. */
  ty: number;
  /** Shear angle, degrees (Keras's shear_range is in degrees: the tutorial's 0.2 is a fifth of one). */
  shear: number;
  zx: number;
  zy: number;
  flip: boolean;
}

const uniform = (random: () => number, low: number, high: number) => low + (high - low) * random();

/** Draws one image's transform in Keras's order: theta, tx, ty, shear, zx, zy, flip. */
export function drawAugmentParams(settings: AugmentSettings, height: number, width: number, random: () => number): AugmentParams {
  const range = (r: number) => (r ? uniform(random, -r, r) : 0);
  const theta = range(settings.rotationRange);
  const tx = range(settings.heightShiftRange) * (settings.heightShiftRange < 1 ? height : 1);
  const ty = range(settings.widthShiftRange) * (settings.widthShiftRange < 1 ? width : 1);
  const shear = range(settings.shearRange);
  const [zx, zy] = settings.zoomRange ? [uniform(random, 1 - settings.zoomRange, 1 + settings.zoomRange), uniform(random, 1 - settings.zoomRange, 1 + settings.zoomRange)] : [1, 1];
  const flip = settings.horizontalFlip && random() < 0.5;
  return {theta, tx, ty, shear, zx, zy, flip};
}

type Matrix = [number, number, number, number, number, number, number, number, number];

const multiply = (a: Matrix, b: Matrix): Matrix => {
  const out = new Array(9).fill(0) as Matrix;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
};

/**
 * Keras's apply_affine_transform matrix, in (row, column) coordinates as its
 * scipy implementation reads it: rotation · shift · shear · zoom, about the
 * image centre ((size − 1) / 2, the centre keras-preprocessing settled on).
 * It maps an output pixel to the input position it samples.
 */
export function kerasAffineMatrix(p: AugmentParams, height: number, width: number): Matrix {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const t = rad(p.theta);
  const s = rad(p.shear);
  let m: Matrix = [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1];
  m = multiply(m, [1, 0, p.tx, 0, 1, p.ty, 0, 0, 1]);
  m = multiply(m, [1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  m = multiply(m, [p.zx, 0, 0, 0, p.zy, 0, 0, 0, 1]);
  const [or, oc] = [(height - 1) / 2, (width - 1) / 2];
  return multiply(multiply([1, 0, or, 0, 1, oc, 0, 0, 1], m), [1, 0, -or, 0, 1, -oc, 0, 0, 1]);
}

/**
 * The same map as tf.image.transform wants it: [a0 a1 a2 b0 b1 b2 c0 c1]
 * with x the column and y the row: x_in = a0·x + a1·y + a2, y_in = b0·x + b1·y + b2.
 */
export function toProjective(m: Matrix): number[] {
  return [m[4], m[3], m[5], m[1], m[0], m[2], 0, 0];
}

/**
 * Augments a batch on the current backend (GPU when there is one): the
 * affine map with bilinear sampling and 'nearest' fill (edges replicated,
 * as scipy's mode='nearest'), then the horizontal flips.
 */
export function augmentBatch(images: tf.Tensor4D, params: readonly AugmentParams[]): tf.Tensor4D {
  const [n, height, width] = images.shape;
  if (params.length !== n) throw new Error(`augmentBatch: ${params.length} transforms for ${n} images`);
  return tf.tidy(() => {
    const transforms = tf.tensor2d(params.map((p) => toProjective(kerasAffineMatrix(p, height, width))), [n, 8]);
    const moved = transformEach(images.toFloat() as tf.Tensor4D, transforms);
    if (!params.some((p) => p.flip)) return moved;
    const flipMask = tf.tensor1d(params.map((p) => (p.flip ? 1 : 0)), 'bool').reshape([n, 1, 1, 1]);
    return tf.where(flipMask.broadcastTo(moved.shape), moved.reverse(2), moved) as tf.Tensor4D;
  });
}

/**
 * tf.image.transform, bilinear with 'nearest' fill. tfjs-backend-cpu 4.22's
 * Transform returns inside its batch loop (kernels/Transform.js): only the
 * first image of a batch is transformed and the rest stay at 0. There,
 * one image per call.
 */
function transformEach(images: tf.Tensor4D, transforms: tf.Tensor2D): tf.Tensor4D {
  const n = images.shape[0];
  if (tf.getBackend() !== 'cpu' || n === 1) return tf.image.transform(images, transforms, 'bilinear', 'nearest');
  return tf.concat(
    Array.from({length: n}, (_, i) => tf.image.transform(images.slice(i, 1), transforms.slice(i, 1), 'bilinear', 'nearest')),
  ) as tf.Tensor4D;
}

/** Identity params: no change at all (for building tests and previews). */
export const NO_AUGMENT: AugmentParams = {theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flip: false};
