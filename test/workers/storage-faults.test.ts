import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {rejection} from '../support/rejection.ts';
import {clearSiteStorage} from '../support/storage.ts';

/** What the browser does to storage under the worker: cleared mid-step, two tabs at once. */
describe('storage faults in the worker', function () {
  it('stops a step whose storage the browser clears under it, by name, and runs it again on empty storage', async () => {
    const zip = asFile(await makeZip(classFolders('', ['a', 'b'], 12, 24)), 'cleared.zip');
    const trainer = TrainerClient.start();
    try {
      await trainer.dataset.importZip({file: zip, options: {seed: 1, fractions: {train: 0.5, validation: 0.5, test: 0}}});
      await trainer.weights.load({kind: 'random', seed: 4});
      let clearing: Promise<void> | null = null;
      const err = await rejection(
        trainer.features.compute(
          {inputSize: 32, preprocessing: 'caffe', batchSize: 2},
          {onEvent: (p) => void (p.done > 0 && (clearing ??= clearSiteStorage()))},
        ),
      );
      await clearing;
      expect(err.name).to.equal(ErrorName.StorageCleared);
      expect(err.message).to.contain('was cleared');
      // The dataset is still in this page's memory; its features go to new, empty storage.
      const again = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe'});
      expect(again).to.include({total: 24, fromCache: 0, computed: 24});
    } finally {
      trainer.dispose();
    }
    const reloaded = TrainerClient.start();
    try {
      expect(await reloaded.dataset.restore(), 'the kept dataset went with the storage').to.equal(null);
    } finally {
      reloaded.dispose();
    }
  });

  it('keeps the checkpoints of two tabs fine-tuning at once apart, and will not let a second tab resume a running run', async () => {
    const zip = asFile(await makeZip(classFolders('', ['a', 'b'], 4, 31)), 'two-tabs.zip');
    const options = {seed: 3, fractions: {train: 0.5, validation: 0.25, test: 0.25}};
    const tab = async () => {
      const trainer = TrainerClient.start();
      await trainer.dataset.importZip({file: zip, options});
      await trainer.weights.load({kind: 'random', seed: 5});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe'});
      await trainer.head.train({spec, options: {epochs: 1, batchSize: 4}});
      return trainer;
    };
    const [a, b] = [await tab(), await tab()];
    try {
      const settings = {epochs: 1, batchSize: 4, learningRate: 1e-3};
      const [runA, runB] = await Promise.all([a.fineTune.run(settings), b.fineTune.run({...settings, seed: 9})]);
      expect(runA.runId).not.to.equal(runB.runId);
      const [infoA, infoB] = [await a.fineTune.checkpoint(), await b.fineTune.checkpoint()];
      expect([infoA!.runId, infoA!.epoch, infoA!.options.seed]).to.deep.equal([runA.runId, 1, 1]);
      expect([infoB!.runId, infoB!.epoch, infoB!.options.seed]).to.deep.equal([runB.runId, 1, 9]);
      // Each tab scores its own fine-tuned model.
      const [scoredA, scoredB] = [await a.evaluation.fineTuned(), await b.evaluation.fineTuned()];
      expect(scoredA.predictions).to.have.length(2);
      expect(scoredA.loss).not.to.equal(scoredB.loss);

      // While tab A goes on with its run, tab B may not take that run over.
      let tried: Promise<Error> | null = null;
      const resumed = await a.fineTune.run(
        {resume: true, epochs: 2},
        {onEvent: (event) => void (event.kind === 'fine-tune' && (tried ??= rejection(b.fineTune.run({resume: true, runId: runA.runId}))))},
      );
      const refused = await tried!;
      expect(refused.name).to.equal(ErrorName.InvalidRequest);
      expect(refused.message).to.contain('another tab');
      expect(resumed).to.include({runId: runA.runId, resumedFrom: 1});
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
