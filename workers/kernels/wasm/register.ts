import * as tf from '@tensorflow/tfjs';
// The wasm backend registers its own kernels on import; ours replace or add to them.
import '@tensorflow/tfjs-backend-wasm';
import {conv2dBackpropFilter} from './conv2d-backprop-filter.ts';
import {conv2dBackpropInput} from './conv2d-backprop-input.ts';

/**
 * Kernels that let the wasm backend train convolutions, composed from fast
 * kernels it already has (XNNPACK's convolution and matrix product):
 * - Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks;
 * - Conv2DBackpropInput, replacing its scalar single-threaded loop.
 */
const KERNELS: ReadonlyArray<{kernelName: string; kernelFunc: tf.KernelFunc}> = [
  {kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc},
  {kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc},
];

/** Registers them for 'wasm' (idempotent). Before the backend starts, so it sets up none of what they replace. */
export function registerWasmTrainingKernels(): void {
  for (const {kernelName, kernelFunc} of KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc) continue;
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({kernelName, backendName: 'wasm', kernelFunc});
  }
}
