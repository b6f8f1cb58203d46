import type {ProfileResult, SetupResult} from './bench-protocol.ts';
import {BenchWorker} from './bench-worker-client.ts';

export interface WasmProfiles {
  setup: SetupResult;
  size: number;
  batches: ProfileBatches;
  features: ProfileResult;
  step: ProfileResult;
}

/** The batch of each profiled job (the app's: the bench's measures use the same). */
export type ProfileBatches = Record<'features' | 'step', number>;

/**
 * Where the time goes on wasm, the project's way (ours.worker.ts): features
 * and the fine-tuning step at one size, per kernel and per kernel and input
 * shapes (≈ per layer), after a warm-up; the faster of two profiled runs each.
 */
export async function profileWasm(size: number, batches: ProfileBatches, timeoutMs: number): Promise<WasmProfiles> {
  const worker = new BenchWorker('ours', 'bench profile');
  try {
    const setup = await worker.call('setup', {backend: 'wasm'}, timeoutMs);
    const profiles: Partial<Record<'features' | 'step', ProfileResult>> = {};
    for (const what of ['features', 'step'] as const) {
      await worker.call('prepare', {what, size, batch: batches[what]}, timeoutMs);
      for (let i = 0; i < 2; i++) {
        const profile = await worker.call('profile', null, timeoutMs);
        if (!profiles[what] || profile.wallMs < profiles[what]!.wallMs) profiles[what] = profile;
      }
    }
    return {setup, size, batches, features: profiles.features!, step: profiles.step!};
  } finally {
    worker.dispose();
  }
}
