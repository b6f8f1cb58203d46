import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {DEFAULT_FEATURE_OPTIONS, DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import type {ProjectPage, WeightsRecord} from '../../src/shared/protocol/index.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {rejection} from '../support/rejection.ts';
import {clearSiteStorage, setStorageQuota} from '../support/storage.ts';

const page: ProjectPage = {
  features: {...DEFAULT_FEATURE_OPTIONS, inputSize: 32},
  head: {...DEFAULT_HEAD_OPTIONS, epochs: 2, batchSize: 4},
  fineTune: {...DEFAULT_FINE_TUNE, epochs: 1, batchSize: 4},
  curves: [],
  results: [],
};
const weights: WeightsRecord = {id: 'random-he-uniform:6', label: 'Random', widths: [64, 128, 256, 512, 512], source: {kind: 'random', seed: 6}};

/** A file in the origin's private file system: the same FileSystemFileHandle a save picker gives. */
async function privateFile(name: string): Promise<FileSystemFileHandle> {
  return (await navigator.storage.getDirectory()).getFileHandle(name, {create: true});
}

/** Saving a whole project to one file and opening it where nothing is kept. */
describe('projects in the worker', function () {
  it('saves the dataset, the head, the fine-tuned weights, the features and the page, and opens them where nothing was kept', async () => {
    const zip = asFile(await makeZip(classFolders('', ['cats', 'dogs'], 6, 41)), 'pets.zip');
    const a = TrainerClient.start();
    let saved: Blob;
    let head;
    let fineTuned;
    try {
      await a.dataset.importZip({file: zip, options: {seed: 4, fractions: {train: 0.5, validation: 0.25, test: 0.25}}});
      await a.weights.load({kind: 'random', seed: 6});
      const {spec} = await a.features.compute({inputSize: 32, preprocessing: 'caffe'});
      await a.head.train({spec, options: page.head});
      head = await a.evaluation.head();
      await a.fineTune.run(page.fineTune);
      fineTuned = await a.evaluation.fineTuned();
      const result = await a.project.save({page: {...page, results: [head, fineTuned]}, weights});
      expect(result.contents).to.deep.equal({images: 12, features: 12, head: true, fineTunedEpoch: 1});
      saved = result.blob!;
      expect(saved.size).to.equal(result.bytes);
    } finally {
      a.dispose();
    }

    await clearSiteStorage(); // another browser: no dataset, no features, no head, no checkpoint
    const b = TrainerClient.start();
    try {
      const opened = await b.project.open({file: new File([saved], 'pets.transferlab.zip')});
      expect(opened.notes).to.deep.equal([]);
      expect(opened.manifest.id).to.equal(head.datasetId);
      expect(opened.head).to.include({datasetId: head.datasetId, restored: true});
      expect(opened.checkpoint).to.include({epoch: 1, datasetId: head.datasetId});
      expect(opened.features!.count).to.equal(12);
      expect(opened.page.results.map((r) => r.model)).to.deep.equal(['head', 'fine-tuned']);
      expect(opened.weights).to.deep.equal(weights);
      // The head scores from the restored features alone: no weights loaded yet.
      const headAgain = await b.evaluation.head();
      expect(headAgain.predictions).to.deep.equal(head.predictions);
      expect(headAgain.loss).to.be.closeTo(head.loss, 1e-6);
      await b.weights.load({kind: 'random', seed: 6});
      const features = await b.features.compute({inputSize: 32, preprocessing: 'caffe'});
      expect(features).to.include({fromCache: 12, computed: 0});
      const fineTunedAgain = await b.evaluation.fineTuned();
      expect(fineTunedAgain.predictions.map((p) => p.predicted)).to.deep.equal(fineTuned.predictions.map((p) => p.predicted));
      expect(fineTunedAgain.loss).to.be.closeTo(fineTuned.loss, 1e-5);
      // And fine-tuning goes on from the saved epoch.
      const resumed = await b.fineTune.run({resume: true, epochs: 2});
      expect(resumed.resumedFrom).to.equal(1);
    } finally {
      b.dispose();
    }
  });

  it('keeps the file saved before when the disk is full, and names the problem', async () => {
    const trainer = TrainerClient.start();
    const handle = await privateFile(`project-${crypto.randomUUID()}.zip`);
    try {
      await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['a', 'b'], 6, 5)), 'small.zip')});
      const first = await trainer.project.save({page, weights: null, target: handle});
      expect(first.blob).to.equal(undefined);
      expect((await handle.getFile()).size).to.equal(first.bytes);
      // A bigger dataset, and no room for it.
      await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['a', 'b'], 40, 6)), 'bigger.zip')});
      const {usage = 0} = await navigator.storage.estimate();
      await setStorageQuota(usage + 1024);
      let err: Error;
      try {
        err = await rejection(trainer.project.save({page, weights: null, target: handle}));
      } finally {
        await setStorageQuota();
      }
      expect(err.name).to.equal(ErrorName.StorageQuota);
      expect(err.message).to.contain('nothing was written over the file saved before');
      const kept = await handle.getFile();
      expect(kept.size).to.equal(first.bytes);
      const reopened = await trainer.project.open({file: kept});
      expect(reopened.manifest.name).to.equal('small.zip');
    } finally {
      trainer.dispose();
      await (await navigator.storage.getDirectory()).removeEntry(handle.name).catch(() => {});
    }
  });

  it('names a file that is not a project, and keeps the dataset it had', async () => {
    const trainer = TrainerClient.start();
    try {
      const manifest = await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['a', 'b'], 6, 7)), 'kept.zip')});
      const datasetZip = await rejection(trainer.project.open({file: asFile(await makeZip(classFolders('', ['x', 'y'], 6, 8)), 'dataset.zip')}));
      expect(datasetZip.name).to.equal(ErrorName.ProjectUnreadable);
      expect(datasetZip.message).to.contain('no project.json');
      const text = await rejection(trainer.project.open({file: new File(['hello'], 'notes.txt')}));
      expect(text.name).to.equal(ErrorName.ProjectUnreadable);
      expect(text.message).to.contain('not a zip');
      expect((await trainer.dataset.restore())!.id).to.equal(manifest.id);
    } finally {
      trainer.dispose();
    }
  });
});
