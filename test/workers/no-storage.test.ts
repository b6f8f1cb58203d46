import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';

/** The real worker where IndexedDB is refused: every step runs from memory, and says nothing is kept. */
describe('a worker that may not use storage', function () {
  it('imports, computes features, trains and scores the head from memory, and says why nothing is kept', async () => {
    const trainer = new TrainerClient(new Worker(new URL('../fixtures/no-storage.worker.ts', import.meta.url), {type: 'module', name: 'no-storage'}));
    try {
      const storage = await trainer.runtime.storage();
      expect(storage.persistent).to.equal(false);
      expect(storage.reason).to.match(/^SecurityError: .*Indexed Database API is denied/);
      await trainer.runtime.configure({});
      const weights = await trainer.weights.load({kind: 'random', seed: 4});
      expect(weights.cached).to.equal(false);
      const manifest = await trainer.dataset.importZip({
        file: asFile(await makeZip(classFolders('', ['a', 'b'], 6, 3)), 'memory.zip'),
        options: {seed: 2, fractions: {train: 0.5, validation: 0.25, test: 0.25}},
      });
      expect(manifest.stored, 'not kept for a next visit').to.equal(false);
      const {spec, computed} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe', batchSize: 4});
      expect(computed).to.equal(12);
      expect((await trainer.features.compute({inputSize: 32, preprocessing: 'caffe'})).fromCache, 'the memory cache works').to.equal(12);
      const head = await trainer.head.train({spec, options: {epochs: 2, batchSize: 4}});
      expect(head.history).to.have.length(2);
      expect((await trainer.head.info())?.restored).to.equal(false);
      const scored = await trainer.evaluation.head({split: 'test'});
      expect(scored.predictions.length).to.be.greaterThan(0);
      // The storage list shows what lives in memory, and deletes it there.
      const listing = await trainer.storage.list();
      expect(listing.persistent).to.equal(false);
      expect(listing.items.map((i) => i.kind).sort()).to.deep.equal(['dataset', 'features', 'head']);
      const dataset = listing.items.find((i) => i.kind === 'dataset')!;
      expect(dataset.bytes).to.be.greaterThan(0);
      expect((await trainer.storage.remove(dataset.id)).unloaded).to.deep.equal(['dataset']);
    } finally {
      trainer.dispose();
    }
  });
});
