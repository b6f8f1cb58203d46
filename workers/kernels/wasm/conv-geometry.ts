import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../../src/shared/errors.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** What the gradient kernels need to know about the forward conv2d they differentiate. */
export interface ForwardConv {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * The forward conv2d's geometry, from the attributes tfjs passes to its
 * gradient kernels. They carry no dilation: tfjs refuses the gradient of a
 * dilated conv2d before any kernel runs ("dilation rates greater than 1 are
 * not yet supported in gradients"), so every backend's gradient kernels
 * assume 1. NCHW is refused by name, as wasm's own Conv2D refuses it.
 */
export function forwardConv(
  kernelName: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: {strides: [number, number] | number; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'},
): ForwardConv {
  if (attrs.dataFormat !== 'NHWC') {
    throw new NamedError(ErrorName.UnsupportedOperation, `${kernelName} on wasm supports NHWC only, got ${attrs.dataFormat}.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * The rows (or columns) of the zero-padded input that the forward conv read:
 * `before` padding rows, then the input, then `after` rows (negative: that
 * many trailing input rows were never read, as with 'valid' and a stride
 * that does not divide evenly).
 */
export function readSpan(inSize: number, outSize: number, filterSize: number, stride: number, padBefore: number): {before: number; after: number} {
  const span = (outSize - 1) * stride + filterSize;
  return {before: padBefore, after: span - padBefore - inSize};
}
