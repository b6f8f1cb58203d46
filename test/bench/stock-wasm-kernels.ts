import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/**
 * tfjs-backend-wasm's own Conv2DBackpropInput, taken before
 * workers/runtime/backends.ts replaces it (import this module first), so a
 * benchmark can put it back and compare.
 */
export const STOCK_CONV2D_BACKPROP_INPUT: tf.KernelConfig = tf.getKernel('Conv2DBackpropInput', 'wasm')!;

/** Puts the stock kernel back; before the wasm backend starts, so that its setup runs. */
export function useStockConv2dBackpropInput(): void {
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel(STOCK_CONV2D_BACKPROP_INPUT);
}
