import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {DEMO} from '../../src/shared/demo.ts';
import type {WeightsSource} from '../../src/shared/protocol/index.ts';
import {DEMO_FOLDER, DEMO_WEIGHTS_URL, demoDatasetFile, runDemoWorkflow} from '../support/demo-workflow.ts';

const sha256 = async (bytes: ArrayBuffer) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The files in public/demo/ (made by scripts/demo/) and the workflow "Run the demo" drives, through the real worker. */
describe('the offline demo', function () {
  it('ships a narrow VGG16 that says it was pre-trained on Fashion-MNIST, with the log of the run that made it', async () => {
    const trainer = TrainerClient.start();
    try {
      const info = await trainer.weights.load({kind: 'url', url: DEMO_WEIGHTS_URL, refresh: true});
      expect(info.label).to.contain('pre-trained on Fashion-MNIST, not ImageNet');
      expect(info.widths).to.deep.equal([16, 32, 64, 128, 128]);
      expect(info.bytes).to.be.below(5_000_000);
    } finally {
      trainer.dispose();
    }
    // The committed log belongs to the committed weights: it names the shard's SHA-256.
    const shard = await (await fetch(new URL('backbone/group1-shard1of1.bin', DEMO_FOLDER))).arrayBuffer();
    const log = await (await fetch(new URL('backbone/training-log.txt', DEMO_FOLDER))).text();
    expect(log).to.contain(`sha256 ${await sha256(shard)}`);
    expect(log).to.match(/classes: tshirt_top, trouser, pullover, dress, coat/);
  });

  it("ships bags and ankle boots — classes the backbone never saw — in the tutorial's train/validation/test layout", async () => {
    const trainer = TrainerClient.start();
    try {
      const manifest = await trainer.dataset.importZip({file: await demoDatasetFile()});
      expect(manifest.layout).to.equal('splits');
      expect(manifest.classes).to.deep.equal(['ankle_boot', 'bag']);
      for (const split of ['train', 'validation', 'test'] as const) {
        const [boots, bags] = manifest.counts[split];
        expect(boots, split).to.be.greaterThan(0);
        expect(boots, `${split} is balanced`).to.equal(bags);
      }
      expect(manifest.skipped).to.have.length(0);
    } finally {
      trainer.dispose();
    }
  });

  it('beats its random-init twin (same widths, He-uniform) on the demo dataset', async () => {
    const scores = [];
    const sources: WeightsSource[] = [
      {kind: 'url', url: DEMO_WEIGHTS_URL},
      {kind: 'random', seed: 1, widths: [16, 32, 64, 128, 128]},
    ];
    for (const source of sources) {
      const trainer = TrainerClient.start();
      try {
        scores.push(await runDemoWorkflow(trainer, source, {fineTune: DEMO.fineTune}));
      } finally {
        trainer.dispose();
      }
    }
    const [demo, twin] = scores as [(typeof scores)[0], (typeof scores)[0]];
    const line = (s: typeof demo) =>
      `head-only validation ${s.headValidationAccuracy.toFixed(3)}, head-only test ${s.headTestAccuracy.toFixed(3)}, fine-tuned test ${s.fineTunedTestAccuracy!.toFixed(3)}`;
    console.log(`demo backbone: ${line(demo)}\nrandom twin:   ${line(twin)}`);
    // The twin's head saturates on its large random features (README): the transfer is the difference.
    expect(demo.fineTunedTestAccuracy!).to.be.greaterThan(twin.fineTunedTestAccuracy!);
    expect(demo.fineTunedTestAccuracy!).to.be.at.least(0.9);
  });
});
