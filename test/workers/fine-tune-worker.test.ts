import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {rejection} from '../support/rejection.ts';

/** The tutorial's second half through the real worker, on the training backend. */
describe('fine-tuning in the worker', function () {
  it('fine-tunes on the training backend, checkpoints, resumes after a reload and evaluates', async () => {
    const zip = asFile(await makeZip(classFolders('', ['p', 'q'], 4, 21)), 'fine.zip');
    const trainer = TrainerClient.start();
    let runtimeTraining = '';
    try {
      const runtime = await trainer.runtime.configure({});
      runtimeTraining = runtime.phases.training.backend;
      await trainer.dataset.importZip({file: zip, options: {seed: 3, fractions: {train: 2, validation: 1, test: 1}}});
      await trainer.weights.load({kind: 'random', seed: 6});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'rescale'});
      await trainer.head.train({spec: spec, options: {epochs: 1, batchSize: 4}});
      const first = await trainer.fineTune.run({epochs: 2, batchSize: 4}, {onEvent: () => {}});
      expect(first.history).to.have.length(2);
      expect(first.backend).to.equal(runtimeTraining);
      console.log(`fine-tuned 2 epochs on ${first.backend}: ${first.history.map((h) => h.seconds.toFixed(1)).join(' s, ')} s per epoch`);
      const evaluation = await trainer.evaluation.fineTuned();
      expect(evaluation.model).to.equal('fine-tuned');
      expect(evaluation.predictions.length).to.be.greaterThan(0);
    } finally {
      trainer.dispose();
    }

    const reloaded = TrainerClient.start();
    try {
      await reloaded.dataset.restore();
      const info = await reloaded.fineTune.checkpoint();
      expect(info).to.include({epoch: 2, epochs: 2});
      expect(info!.history).to.have.length(2);
      const needsWeights = await rejection(reloaded.fineTune.run({resume: true, epochs: 3}));
      expect(needsWeights.name).to.equal(ErrorName.WeightsNotLoaded);
      await reloaded.weights.load({kind: 'random', seed: 6});
      const resumed = await reloaded.fineTune.run({resume: true, epochs: 3});
      expect(resumed.resumedFrom).to.equal(2);
      expect(resumed.history.map((h) => h.epoch)).to.deep.equal([1, 2, 3]);
    } finally {
      reloaded.dispose();
    }
  });

  it('refuses fine-tuning with a head trained on another dataset, and says why', async () => {
    const trainer = TrainerClient.start();
    try {
      await trainer.weights.load({kind: 'random', seed: 6});
      await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['x', 'y'], 3, 5))), options: {fractions: {train: 1, validation: 1, test: 0}}});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'rescale'});
      await trainer.head.train({spec: spec, options: {epochs: 1}});
      await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['x', 'y', 'z'], 3, 6))), options: {fractions: {train: 1, validation: 1, test: 0}}});
      const err = await rejection(trainer.fineTune.run({epochs: 1}));
      expect(err.name).to.equal(ErrorName.HeadNotTrained);
      expect(err.message).to.match(/another dataset or split/);
    } finally {
      trainer.dispose();
    }
  });
});
