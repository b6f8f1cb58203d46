// Order matters: take wasm's stock kernel before backends.ts replaces it.
import {useStockConv2dBackpropInput} from './stock-wasm-kernels.ts';
import * as tf from '@tensorflow/tfjs';
import {getThreadsCount} from '@tensorflow/tfjs-backend-wasm';
import {startWasmWithThreads} from '../../workers/runtime/wasm-threads.ts';
import type {KernelTime} from './bench-protocol.ts';
import {byKernel} from './kernel-profile.ts';
import {profileFeatures, profileFineTuneStep, splitStep, wholeNetworkStep} from './wasm-training.ts';

/**
 * One wasm backend per worker, started with the thread count asked for
 * (a module's thread pool is fixed when it starts), and optionally with
 * wasm's stock Conv2DBackpropInput; then the measurements asked for.
 */
export interface WasmBenchSetup {
  threads: number;
  stockInputGradient?: boolean;
}

export interface WasmBenchJob {
  what: 'features' | 'step-whole' | 'step-split';
  size: number;
  batch: number;
  /** Measured this many times after the warm-up; the fastest is kept. */
  repeats: number;
}

export interface WasmBenchResult extends WasmBenchJob {
  perImageMs: number;
  /** The wasm memory after the run: it grows and never shrinks, so in a fresh worker this is the peak. */
  heapMiB: number;
  kernels: KernelTime[];
}

export type WasmBenchMessage = {setup: WasmBenchSetup} | {job: WasmBenchJob};

let ready: Promise<number> | null = null;

self.onmessage = async ({data}: MessageEvent<WasmBenchMessage>) => {
  try {
    if ('setup' in data) {
      if (data.setup.stockInputGradient) useStockConv2dBackpropInput();
      ready = startWasmWithThreads(data.setup.threads, () => tf.setBackend('wasm')).then((ok) => {
        if (!ok) throw new Error('wasm did not start');
        return getThreadsCount();
      });
      self.postMessage({threads: await ready});
      return;
    }
    await ready;
    const {what, size, batch, repeats} = data.job;
    const profile =
      what === 'features'
        ? await profileFeatures(size, batch, repeats)
        : await profileFineTuneStep(size, batch, what === 'step-whole' ? wholeNetworkStep : splitStep, repeats);
    const heap = (tf.backend() as unknown as {wasm: {HEAPU8: Uint8Array}}).wasm.HEAPU8.buffer.byteLength;
    const result: WasmBenchResult = {...data.job, perImageMs: profile.wallMs / batch, heapMiB: heap / 2 ** 20, kernels: byKernel(profile).slice(0, 8)};
    self.postMessage({result});
  } catch (err) {
    self.postMessage({error: `${(err as Error).name}: ${(err as Error).message}`});
  }
};
