import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../../src/client/trainer-client.ts';
import {ErrorName} from '../../../src/shared/errors.ts';
import type {GradCamResult, Progress} from '../../../src/shared/protocol/index.ts';
import {asFile, classFolders, makeZip} from '../../support/dataset-zips.ts';
import {rejection} from '../../support/rejection.ts';

/** Every map finite, in [0, 1], and either all zero or with its maximum at 1 (each image by its own maximum). */
function expectNormalised(result: GradCamResult): void {
  for (const map of result.maps) {
    expect(map.values).to.have.length(result.side * result.side);
    const values = [...map.values];
    expect(values.every((v) => Number.isFinite(v) && v >= 0 && v <= 1), `image ${map.image}: ${values}`).to.equal(true);
    const peak = Math.max(...values);
    expect(peak === 0 || Math.abs(peak - 1) < 1e-6, `image ${map.image}'s peak ${peak}`).to.equal(true);
  }
}

/** Grad-CAM through the real worker: VGG16 (random weights) at 32×32, the head, then a 1-epoch fine-tune. */
describe('Grad-CAM in the worker', function () {
  it('explains the head and the fine-tuned model on the inference backend, per class, with flat tensor counts, and cancels', async () => {
    const trainer = TrainerClient.start();
    try {
      const runtime = await trainer.runtime.configure({});
      const inference = runtime.phases.inference.backend;
      const manifest = await trainer.dataset.importZip({
        file: asFile(await makeZip(classFolders('', ['p', 'q'], 3, 31)), 'explain.zip'),
        options: {seed: 4, fractions: {train: 1, validation: 1, test: 1}},
      });
      const all = manifest.images.map((_, i) => i);
      const test = all.filter((i) => manifest.images[i]!.split === 'test');
      await trainer.weights.load({kind: 'random', seed: 8});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe'});
      await trainer.head.train({spec, options: {epochs: 2, batchSize: 4}});

      expect((await rejection(trainer.explain.gradCam({images: [all.length], model: 'head'}))).name).to.equal(ErrorName.InvalidRequest);
      expect((await rejection(trainer.explain.gradCam({images: test, model: 'head', target: 2}))).name).to.equal(ErrorName.InvalidRequest);
      expect((await rejection(trainer.explain.gradCam({images: test, model: 'fine-tuned'}))).name).to.equal(ErrorName.NotFineTuned);

      // The head on the conv base: the conv base and the head already exist (features, training), so nothing is left behind.
      const baseline = (await trainer.runtime.memory()).numTensors;
      const progress: Progress[] = [];
      const predicted = await trainer.explain.gradCam({images: all, model: 'head', batchSize: 3}, {onEvent: (p) => progress.push(p)});
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);
      expect(predicted).to.include({model: 'head', layer: 'block5_conv3', backend: inference, inputSize: 32, resize: 'bilinear', side: 2, cellPixels: 16, datasetId: manifest.id});
      expect(predicted.maps.map((m) => m.image)).to.deep.equal(all);
      expect(predicted.maps.every((m) => m.target === m.predicted)).to.equal(true);
      expect(predicted.maps.every((m) => Math.abs(m.probabilities[0]! + m.probabilities[1]! - 1) < 1e-5)).to.equal(true);
      expect(progress.filter((p) => p.kind === 'explain').at(-1)).to.include({done: all.length, total: all.length});
      expectNormalised(predicted);
      console.log(`Grad-CAM of the head on ${predicted.backend}: ${predicted.maps.map((m) => `[${[...m.values].map((v) => v.toFixed(2))}]`).join(' ')}`);

      // The two classes' maps: z and −z weight the same feature maps with opposite signs, so where one is hot the other is cold.
      const [zero, one] = await Promise.all([0, 1].map((target) => trainer.explain.gradCam({images: all, model: 'head', target})));
      expectNormalised(zero!);
      expectNormalised(one!);
      const lit = all.filter((i) => zero!.maps[i]!.values.some((v) => v > 0) || one!.maps[i]!.values.some((v) => v > 0));
      expect(lit.length, 'some image has a map that is not all zero').to.be.greaterThan(0);
      for (const i of lit) expect([...zero!.maps[i]!.values], `image ${i}`).not.to.deep.equal([...one!.maps[i]!.values]);
      for (const map of predicted.maps) expect([...map.values]).to.deep.equal([...(map.target === 0 ? zero! : one!).maps[map.image]!.values]);
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);

      // Cancelled at its first progress report: it stops between batches, leaving no tensor behind.
      const controller = new AbortController();
      const cancelled = await rejection(
        trainer.explain.gradCam({images: [...all, ...all, ...all], model: 'head', batchSize: 1}, {signal: controller.signal, onEvent: () => controller.abort()}),
      );
      expect(cancelled.name).to.equal(ErrorName.Cancelled);
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);

      // The fine-tuned model (block5 and the head from the checkpoint), rebuilt for each call and freed after it.
      const tuned = await trainer.fineTune.run({epochs: 1, batchSize: 4});
      const before = (await trainer.runtime.memory()).numTensors;
      const started = performance.now();
      const fine = await trainer.explain.gradCam({images: test, model: 'fine-tuned'});
      const seconds = (performance.now() - started) / 1000;
      expect((await trainer.runtime.memory()).numTensors).to.equal(before);
      expect(fine).to.include({model: 'fine-tuned', backend: inference, side: 2});
      expectNormalised(fine);
      const fineOther = await trainer.explain.gradCam({images: test, model: 'fine-tuned', target: 1 - fine.maps[0]!.predicted});
      expect(fineOther.maps[0]!.target).to.not.equal(fine.maps[0]!.target);
      expectNormalised(fineOther);
      expect((await trainer.runtime.memory()).numTensors).to.equal(before);
      console.log(`fine-tuned 1 epoch on ${tuned.backend}; Grad-CAM of ${test.length} images of the fine-tuned model on ${fine.backend} (rebuilt from the checkpoint): ${seconds.toFixed(2)} s`);
    } finally {
      trainer.dispose();
    }
  });
});
