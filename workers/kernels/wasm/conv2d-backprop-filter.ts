import * as tf from '@tensorflow/tfjs';
import {forwardConv, readSpan} from './conv-geometry.ts';
import {composed} from './kernel-scope.ts';

interface Args {
  inputs: {x: tf.TensorInfo; dy: tf.TensorInfo};
  backend: tf.KernelBackend;
  attrs: tf.Conv2DBackpropFilterAttrs;
}

/**
 * dW for conv2d on wasm (tfjs-backend-wasm 4.22 has no such kernel), as one
 * convolution on XNNPACK: dW[kh,kw,ci,co] = Σ over (b,oh,ow) of
 * x[b, oh·s+kh−top, ow·s+kw−left, ci] · dy[b,oh,ow,co] is x with its batch
 * and channel axes swapped (ci images of b channels) convolved with dy as
 * the filter ([oh, ow, b, co]), the forward stride becoming the dilation;
 * its output [ci, kh, kw, co] is transposed into place. (Cutting x into
 * kh·kw shifted views for one matrix product measured the same at block5's
 * 16×9×9×512: 301 ms against 276 ms here, with far more intermediates.)
 */
export function conv2dBackpropFilter({inputs: {x, dy}, backend, attrs}: Args): tf.TensorInfo {
  const g = forwardConv('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  return composed(backend, (scope) => {
    const rows = readSpan(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.padTop);
    const cols = readSpan(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.padLeft);
    // Crop the rows and columns the forward conv never read; pad inside the convolution.
    const cropped = scope.padOrCrop(x, [[0, 0], [0, Math.min(0, rows.after)], [0, Math.min(0, cols.after)], [0, 0]]);
    const out = scope.run('Conv2D', {x: scope.transpose(cropped, [3, 1, 2, 0]), filter: scope.transpose(dy, [1, 2, 0, 3])}, {
      strides: [1, 1],
      dilations: [g.strideHeight, g.strideWidth],
      pad: [[0, 0], [rows.before, Math.max(0, rows.after)], [cols.before, Math.max(0, cols.after)], [0, 0]],
      dataFormat: 'NHWC',
    });
    return scope.transpose(out, [1, 2, 0, 3]);
  });
}
