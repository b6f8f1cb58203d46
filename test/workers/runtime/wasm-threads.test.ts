import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../../src/client/trainer-client.ts';
import {WASM_MAX_THREADS} from '../../../workers/runtime/wasm-threads.ts';

/** The real worker, served cross-origin isolated (COOP/COEP, as vite.config.ts sets them). */
describe('wasm threads', () => {
  it('starts one thread per logical core (at most tfjs’s 8), not tfjs’s half, and says so', async () => {
    expect(globalThis.crossOriginIsolated, 'the test page is isolated').to.equal(true);
    const trainer = TrainerClient.start();
    try {
      const report = await trainer.runtime.configure({inference: 'wasm'});
      const cores = navigator.hardwareConcurrency;
      console.log(`${cores} logical cores: wasm runs ${report.wasmThreads} threads (${report.wasmThreadsReason})`);
      expect(report.wasmThreads).to.equal(Math.min(cores, WASM_MAX_THREADS));
      expect(report.wasmThreadsReason).to.match(cores === 1 ? /^one thread: the browser reports one logical core$/ : cores > WASM_MAX_THREADS ? new RegExp(`^${WASM_MAX_THREADS} threads: the most`) : new RegExp(`^${cores} threads: one per logical core`));
    } finally {
      trainer.dispose();
    }
  });
});
