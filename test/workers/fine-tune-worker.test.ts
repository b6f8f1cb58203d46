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
      const runtime = await trainer.configureRuntime({});
      runtimeTraining = runtime.phases.training.backend;
      await trainer.importDataset(zip, {seed: 3, fractions: {train: 2, validation: 1, test: 1}});
      await trainer.loadWeights({kind: 'random', seed: 6});
      const {spec} = await trainer.computeFeatures({inputSize: 32, preprocessing: 'rescale'});
      await trainer.trainHead(spec, {epochs: 1, batchSize: 4});
      const first = await trainer.fineTune({epochs: 2, batchSize: 4}, {onEpoch: () => {}});
      expect(first.history).to.have.length(2);
      expect(first.backend).to.equal(runtimeTraining);
      console.log(`fine-tuned 2 epochs on ${first.backend}: ${first.history.map((h) => h.seconds.toFixed(1)).join(' s, ')} s per epoch`);
      const evaluation = await trainer.evaluateFineTuned();
      expect(evaluation.model).to.equal('fine-tuned');
      expect(evaluation.predictions.length).to.be.greaterThan(0);
    } finally {
      trainer.dispose();
    }

    const reloaded = TrainerClient.start();
    try {
      await reloaded.restoreDataset();
      const info = await reloaded.checkpointInfo();
      expect(info).to.include({epoch: 2, epochs: 2});
      expect(info!.history).to.have.length(2);
      const needsWeights = await rejection(reloaded.fineTune({resume: true, epochs: 3}));
      expect(needsWeights.name).to.equal(ErrorName.WeightsNotLoaded);
      await reloaded.loadWeights({kind: 'random', seed: 6});
      const resumed = await reloaded.fineTune({resume: true, epochs: 3});
      expect(resumed.resumedFrom).to.equal(2);
      expect(resumed.history.map((h) => h.epoch)).to.deep.equal([1, 2, 3]);
    } finally {
      reloaded.dispose();
    }
  });

  it('refuses fine-tuning with a head trained on another dataset, and says why', async () => {
    const trainer = TrainerClient.start();
    try {
      await trainer.loadWeights({kind: 'random', seed: 6});
      await trainer.importDataset(asFile(await makeZip(classFolders('', ['x', 'y'], 3, 5))), {fractions: {train: 1, validation: 1, test: 0}});
      const {spec} = await trainer.computeFeatures({inputSize: 32, preprocessing: 'rescale'});
      await trainer.trainHead(spec, {epochs: 1});
      await trainer.importDataset(asFile(await makeZip(classFolders('', ['x', 'y', 'z'], 3, 6))), {fractions: {train: 1, validation: 1, test: 0}});
      const err = await rejection(trainer.fineTune({epochs: 1}));
      expect(err.name).to.equal(ErrorName.HeadNotTrained);
      expect(err.message).to.match(/another dataset or split/);
    } finally {
      trainer.dispose();
    }
  });
});
