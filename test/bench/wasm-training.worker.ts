// Order matters: take wasm's stock kernel before backends.ts replaces it.
import {useStockConv2dBackpropInput} from './stock-wasm-kernels.ts';
import * as tf from '@tensorflow/tfjs';
import {getThreadsCount} from '@tensorflow/tfjs-backend-wasm';
import {startWasmWithThreads} from '../../workers/runtime/wasm-threads.ts';
import {byKernel, type KernelTime} from './kernel-profile.ts';
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
}

export interface WasmBenchResult extends WasmBenchJob {
  perImageMs: number;
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
    const {what, size, batch} = data.job;
    const profile =
      what === 'features' ? await profileFeatures(size, batch) : await profileFineTuneStep(size, batch, what === 'step-whole' ? wholeNetworkStep : splitStep);
    const result: WasmBenchResult = {...data.job, perImageMs: profile.wallMs / batch, kernels: byKernel(profile).slice(0, 8)};
    self.postMessage({result});
  } catch (err) {
    self.postMessage({error: `${(err as Error).name}: ${(err as Error).message}`});
  }
};
