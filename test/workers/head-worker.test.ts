import {expect, waitUntil} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import type {EpochLog, Progress} from '../../src/shared/protocol/index.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {rejection} from '../support/rejection.ts';

/** The tutorial's first half through the real worker: features into IndexedDB, then the head on them. */
describe('features and head in the worker', function () {
  it('computes features once, reads them back from the cache, and trains the head after a reload without VGG16', async () => {
    const zip = asFile(await makeZip(classFolders('', ['left', 'right'], 6, 9)), 'head-test.zip');
    const first = TrainerClient.start();
    let spec;
    try {
      await first.runtime.configure({});
      await first.dataset.importZip({file: zip, options: {seed: 2, fractions: {train: 0.5, validation: 0.5, test: 0}}});
      await first.weights.load({kind: 'random', seed: 3});
      const progress: Progress[] = [];
      const computed = await first.features.compute({inputSize: 32, preprocessing: 'caffe', batchSize: 4}, {onEvent: (p) => progress.push(p)});
      console.log(`features for 12 images at 32×32 on ${computed.backend}: ${computed.imagesPerSecond?.toFixed(1)} images/s`);
      expect(computed).to.include({total: 12, fromCache: 0, computed: 12});
      expect(computed.spec).to.deep.equal({weightsId: 'random-he-uniform:3', layer: 'block5_pool', channels: 512, inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'});
      spec = computed.spec;
      const again = await first.features.compute({inputSize: 32, preprocessing: 'caffe'});
      expect(again).to.include({fromCache: 12, computed: 0, backend: null});
      const rescaled = await first.features.compute({inputSize: 32, preprocessing: 'rescale'});
      expect(rescaled).to.include({fromCache: 0, computed: 12});
    } finally {
      first.dispose();
    }

    // A reload: a new worker, no weights loaded, no zip dropped; the dataset and features come from IndexedDB.
    const reloaded = TrainerClient.start();
    try {
      expect(await reloaded.weights.info()).to.equal(null);
      await reloaded.dataset.restore();
      const epochs: EpochLog[] = [];
      const result = await reloaded.head.train({spec: spec, options: {epochs: 3, batchSize: 4}}, {onEvent: (e) => e.kind === 'epoch' && epochs.push(e.log)});
      expect(result.history).to.have.length(3);
      expect(result).to.include({trainCount: 6, validationCount: 6});
      expect(result.classes).to.deep.equal(['left', 'right']);
      // Epoch logs travel on their own port: wait for them rather than guess a delay.
      await waitUntil(() => epochs.length === 3, 'epoch logs missing');
      expect(epochs.map((e) => e.epoch)).to.deep.equal([1, 2, 3]);
      const missing = await rejection(reloaded.head.train({spec: {...spec, inputSize: 64}}));
      expect(missing.name).to.equal(ErrorName.FeaturesMissing);
    } finally {
      reloaded.dispose();
    }
  });

  it('cancels head training between batches', async () => {
    const trainer = TrainerClient.start();
    try {
      await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['a', 'b'], 6, 4))), options: {fractions: {train: 0.5, validation: 0.5, test: 0}}});
      await trainer.weights.load({kind: 'random', seed: 1});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe'});
      const baseline = (await trainer.runtime.memory()).numTensors;
      const controller = new AbortController();
      const err = await rejection(
        trainer.head.train({spec: spec, options: {epochs: 200, batchSize: 1}}, {signal: controller.signal, onEvent: () => controller.abort()}),
      );
      expect(err.name).to.equal(ErrorName.Cancelled);
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);
    } finally {
      trainer.dispose();
    }
  });

  it('evaluates the head on the test split, again after a reload from the kept head', async () => {
    const zip = asFile(await makeZip(classFolders('', ['a', 'b', 'c'], 6, 12)), 'eval.zip');
    const trainer = TrainerClient.start();
    let first;
    try {
      await trainer.dataset.importZip({file: zip, options: {seed: 5, fractions: {train: 0.5, validation: 0.25, test: 0.25}}});
      await trainer.weights.load({kind: 'random', seed: 2});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'rescale'});
      await trainer.head.train({spec: spec, options: {epochs: 2, batchSize: 4}});
      first = await trainer.evaluation.head();
      expect(first).to.include({split: 'test', model: 'head'});
      expect(first.classes).to.deep.equal(['a', 'b', 'c']);
      const testImages = first.predictions.length;
      expect(testImages).to.be.greaterThan(0);
      expect(first.confusion.flat().reduce((a, b) => a + b, 0)).to.equal(testImages);
      expect(first.perClass.map((m) => m.support).reduce((a, b) => a + b, 0)).to.equal(testImages);
      for (const p of first.predictions) expect(p.probability).to.be.within(1 / 3, 1);
    } finally {
      trainer.dispose();
    }
    const reloaded = TrainerClient.start();
    try {
      await reloaded.dataset.restore();
      const again = await reloaded.evaluation.head();
      expect(again.predictions).to.deep.equal(first.predictions);
      expect(again.loss).to.be.closeTo(first.loss, 1e-5);
    } finally {
      reloaded.dispose();
    }
  });
});

