import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {makeImages} from '../support/fixtures.ts';

/** The real worker in a browser without WebGPU (navigator.gpu hidden before tfjs loads). */
describe('backend fallback without WebGPU', () => {
  let trainer: TrainerClient;

  beforeEach(() => {
    trainer = new TrainerClient(
      new Worker(new URL('../fixtures/no-webgpu.worker.ts', import.meta.url), {type: 'module', name: 'no-webgpu'}),
    );
  });
  afterEach(() => trainer.dispose());

  it('lands each phase on the next backend and says why WebGPU was skipped', async () => {
    const report = await trainer.runtime.configure();
    console.log(`without WebGPU: inference on ${report.phases.inference.backend}, training on ${report.phases.training.backend}`);
    expect(report.webgpu).to.equal(null);
    expect(report.webgpuUnavailable).to.match(/navigator\.gpu is missing/);
    for (const phase of ['inference', 'training'] as const) {
      const {backend, skipped} = report.phases[phase];
      expect(backend, phase).not.to.equal('webgpu');
      const webgpu = skipped.find((s) => s.backend === 'webgpu');
      expect(webgpu?.reason, phase).to.match(/navigator\.gpu is missing/);
    }

    await trainer.weights.load({kind: 'random', seed: 1});
    const result = await trainer.features.extract({pixels: makeImages(2, 32), count: 2, size: 32});
    expect(result.backend).to.equal(report.phases.inference.backend);
    expect(result.features.length).to.equal(2 * 512);
  });

  it('falls back from a WebGPU override, reporting that the request failed', async () => {
    const report = await trainer.runtime.configure({inference: 'webgpu'});
    const {backend, overridden, skipped} = report.phases.inference;
    expect(backend).not.to.equal('webgpu');
    expect(overridden).to.equal(false);
    expect(skipped.find((s) => s.backend === 'webgpu')?.reason).to.match(/^requested, but .*navigator\.gpu is missing/);
  });

  it('trains on wasm when asked (its conv gradient kernels are ours)', async () => {
    const report = await trainer.runtime.configure({training: 'wasm'});
    expect(report.phases.training).to.include({backend: 'wasm', overridden: true});
  });

  it('honours an override that can start', async () => {
    const report = await trainer.runtime.configure({inference: 'cpu'});
    expect(report.phases.inference).to.include({backend: 'cpu', overridden: true});
    const reasons = report.phases.inference.skipped.map((s) => `${s.backend}: ${s.reason}`);
    expect(reasons.some((r) => r.startsWith('wasm: not requested'))).to.equal(true, reasons.join('\n'));
  });
});
