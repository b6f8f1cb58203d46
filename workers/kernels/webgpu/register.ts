import * as tf from '@tensorflow/tfjs';
// Registers the 'webgpu' backend and its kernels, which ours replace.
import '@tensorflow/tfjs-backend-webgpu';
import {conv2dBackpropFilter, conv2dBackpropInput, forwardConv} from './conv-kernels.ts';
import {replaceWebgpuBackendFactory} from './device.ts';

/** Each of ours wraps tfjs's kernel of the same name, which it falls back to. */
const KERNELS: ReadonlyArray<[string, (stock: tf.KernelFunc) => tf.KernelFunc]> = [
  [tf.Conv2D, forwardConv],
  [tf.FusedConv2D, forwardConv],
  [tf.Conv2DBackpropInput, conv2dBackpropInput],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter],
];
const ours = new WeakSet<tf.KernelFunc>();

/**
 * Convolutions for 'webgpu' as tiled implicit matrix products (forward with
 * bias and ReLU fused, both gradients), on a device that has subgroups where
 * the adapter offers them. Call before the backend starts (idempotent).
 */
export function registerWebgpuKernels(): void {
  replaceWebgpuBackendFactory();
  for (const [kernelName, make] of KERNELS) {
    const stock = tf.getKernel(kernelName, 'webgpu');
    if (!stock || ours.has(stock.kernelFunc)) continue;
    const kernelFunc = make(stock.kernelFunc);
    ours.add(kernelFunc);
    tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({kernelName, backendName: 'webgpu', kernelFunc});
  }
}
