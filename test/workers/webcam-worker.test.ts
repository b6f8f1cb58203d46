import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import type {LiveEvent, LivePredictionEvent} from '../../src/shared/protocol/index.ts';
import {frameBitmap} from '../support/frames.ts';
import {rejection} from '../support/rejection.ts';
import {forgetLastVisit} from '../support/storage.ts';

/** The webcam through the real worker: frames kept across a reload, made into a dataset, and predicted live as evaluation predicts. */
describe('webcam in the worker', function () {
  beforeEach(() => forgetLastVisit());

  it('keeps captured frames across a reload, imports them as a dataset, and predicts frames live exactly as evaluation does', async () => {
    const seeds: Record<string, number[]> = {dark: [1, 2, 3, 4, 5], light: [11, 12, 13, 14, 15]};
    const trainer = TrainerClient.start();
    try {
      for (const [name, list] of Object.entries(seeds)) {
        const made = await trainer.webcam.addClass(name);
        for (const seed of list) {
          const bitmap = await frameBitmap(seed);
          await trainer.webcam.capture(made.id, bitmap);
          expect(bitmap.width, 'the bitmap was transferred, not copied').to.equal(0);
        }
      }
    } finally {
      trainer.dispose();
    }

    const reloaded = TrainerClient.start();
    try {
      const kept = await reloaded.webcam.classes();
      expect(kept.map((c) => [c.name, c.frames.length])).to.deep.equal([['dark', 5], ['light', 5]]);
      const manifest = await reloaded.dataset.importZip({file: await reloaded.webcam.datasetZip(), options: {seed: 5}});
      expect(manifest.counts).to.deep.equal({train: [3, 3], validation: [1, 1], test: [1, 1]});
      await reloaded.weights.load({kind: 'random', seed: 4});
      const {spec} = await reloaded.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'});
      await reloaded.head.train({spec, options: {epochs: 1, batchSize: 4}});
      const evaluation = await reloaded.evaluation.head({split: 'test'});

      // The test images' own frames, sent live in the same order.
      const order = evaluation.predictions.map((p) => {
        const [name, file] = manifest.images[p.image]!.path.split('/');
        return seeds[name!]![Number(/(\d+)/.exec(file!)![1]) - 1]!;
      });
      const before = (await reloaded.runtime.memory()).numTensors;
      const events: LiveEvent[] = [];
      let asked = 0;
      const summary = await reloaded.webcam.predictLive(
        {model: 'head', nextFrame: async () => (asked < order.length ? frameBitmap(order[asked++]!) : null)},
        {onEvent: (event) => events.push(event)},
      );
      expect(summary).to.include({model: 'head', frames: order.length});
      const started = events.find((e) => e.kind === 'live-started');
      expect(started).to.deep.include({classes: ['dark', 'light'], spec});
      const live = events.filter((e): e is LivePredictionEvent => e.kind === 'live-prediction');
      expect(live.map((e) => e.frame)).to.deep.equal(order.map((_, k) => k + 1));
      const gap = Math.max(...evaluation.predictions.map((p, k) => Math.abs(live[k]!.probabilities[p.predicted]! - p.probability)));
      console.log(`live vs step 5 on ${order.length} test frames (${started?.kind === 'live-started' ? started.backend : '?'}): largest probability difference ${gap.toExponential(1)}`);
      evaluation.predictions.forEach((p, k) => {
        const probabilities = live[k]!.probabilities;
        expect(probabilities.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-6);
        expect(probabilities.indexOf(Math.max(...probabilities)), 'the same class').to.equal(p.predicted);
        expect(probabilities[p.predicted], 'the same probability as step 5').to.be.closeTo(p.probability, 1e-5);
      });
      expect((await reloaded.runtime.memory()).numTensors, 'no tensor left behind').to.equal(before);

      // Cancelled while the page has no frame to give: it stops at once, and its frame source is let go.
      const controller = new AbortController();
      let late: ImageBitmap | null = null;
      const waiting = reloaded.webcam.predictLive(
        {model: 'head', nextFrame: () => new Promise((resolve) => setTimeout(async () => resolve((late = await frameBitmap(1))), 1500))},
        {signal: controller.signal},
      );
      setTimeout(() => controller.abort(), 300);
      const started2 = performance.now();
      expect((await rejection(waiting)).name).to.equal(ErrorName.Cancelled);
      expect(performance.now() - started2, 'not held by the pending frame').to.be.below(1400);
      expect((await reloaded.runtime.memory()).numTensors).to.equal(before);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(late!.width, 'a frame that comes after the end is closed, not left open').to.equal(0);

      const none = await rejection(reloaded.webcam.predictLive({model: 'fine-tuned', nextFrame: async () => null}));
      expect(none.name).to.equal(ErrorName.NotFineTuned);

      const bySplit = await reloaded.webcam.splitZip();
      expect(bySplit.fileName).to.equal('webcam-by-split.zip');
      const again = await reloaded.dataset.importZip({file: new File([bySplit.zip], bySplit.fileName)});
      expect([again.layout, again.id], 'the same dataset, in train/validation/test folders').to.deep.equal(['splits', manifest.id]);
    } finally {
      reloaded.dispose();
    }
  });
});
