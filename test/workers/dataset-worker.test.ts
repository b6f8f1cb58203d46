import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import type {Progress} from '../../src/shared/protocol/index.ts';
import {asFile, classFolders, encodeBmp, encodePicture, makeZip} from '../support/dataset-zips.ts';
import {rejection} from '../support/rejection.ts';

/** Dataset import through the real worker: the File crosses as is, the result persists. */
describe('dataset import in the worker', function () {
  it('imports a dropped File with progress, and a new worker (a reload) restores it without the zip', async () => {
    const zip = asFile(await makeZip(classFolders('', ['cats', 'dogs'], 12)), 'pets.zip');
    const first = TrainerClient.start();
    const seen: Progress[] = [];
    let manifest;
    try {
      manifest = await first.dataset.importZip({file: zip, options: {seed: 3}}, {onEvent: (p) => seen.push(p)});
    } finally {
      first.dispose();
    }
    expect(manifest.name).to.equal('pets.zip');
    expect(manifest.images).to.have.length(24);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.at(-1)).to.include({kind: 'import', done: 24, total: 24, images: 24});

    const reloaded = TrainerClient.start();
    try {
      const restored = await reloaded.dataset.restore();
      expect(restored?.id).to.equal(manifest.id);
      expect(restored?.images.map((i) => i.split)).to.deep.equal(manifest.images.map((i) => i.split));
      expect(restored?.images[0]!.thumbnail.size).to.be.greaterThan(0);
      const pixels = await reloaded.dataset.pixels({indices: [0, 1], size: 32, resize: 'bilinear'});
      expect(pixels.length).to.equal(2 * 32 * 32 * 3);
    } finally {
      reloaded.dispose();
    }
  });

  it('turns grey and transparent images into RGB at the model’s input size', async () => {
    const zip = asFile(
      await makeZip({
        'a/grey.png': await encodePicture('png', {width: 50, height: 40, grey: true, seed: 1}),
        'a/alpha.png': await encodePicture('png', {width: 50, height: 40, alpha: true, seed: 2}),
        'a/plain.jpg': await encodePicture('jpeg', {width: 50, height: 40, seed: 3}),
        'b/one.bmp': encodeBmp({seed: 4}),
        'b/two.bmp': encodeBmp({seed: 5}),
        'b/three.bmp': encodeBmp({seed: 6}),
      }),
    );
    const trainer = TrainerClient.start();
    try {
      const manifest = await trainer.dataset.importZip({file: zip, options: {fractions: {train: 1, validation: 1, test: 0}}});
      const index = (name: string) => manifest.images.findIndex((i) => i.path.endsWith(name));
      const size = 20;
      const [grey, alpha] = [await trainer.dataset.pixels({indices: [index('grey.png')], size, resize: 'bilinear'}), await trainer.dataset.pixels({indices: [index('alpha.png')], size, resize: 'bilinear'})];
      for (let p = 0; p < size * size; p++) {
        expect(grey[p * 3], `pixel ${p}`).to.equal(grey[p * 3 + 1]);
        expect(grey[p * 3], `pixel ${p}`).to.equal(grey[p * 3 + 2]);
      }
      expect(alpha.length).to.equal(size * size * 3);
      // The transparent left half reads as black; the opaque right half keeps its colour.
      expect(alpha[(5 * size + 1) * 3]).to.equal(0);
      expect(Math.max(alpha[(5 * size + 18) * 3]!, alpha[(5 * size + 18) * 3 + 1]!, alpha[(5 * size + 18) * 3 + 2]!)).to.be.greaterThan(0);
    } finally {
      trainer.dispose();
    }
  });

  it('stops a cancelled import, keeps the previous dataset, and stores nothing new', async () => {
    const trainer = TrainerClient.start();
    try {
      const kept = await trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['x', 'y'], 5, 1)), 'kept.zip')});
      const big = asFile(await makeZip(classFolders('', ['p', 'q'], 200, 2)), 'big.zip');
      const controller = new AbortController();
      let lastDone = 0;
      const failure = await rejection(
        trainer.dataset.importZip({file: big, options: {}}, {
          signal: controller.signal,
          onEvent: (p) => {
            lastDone = p.done;
            if (p.done >= 10) controller.abort();
          },
        }),
      );
      expect(failure.name).to.equal(ErrorName.Cancelled);
      expect(lastDone).to.be.lessThan(400);
      const after = TrainerClient.start();
      try {
        expect((await after.dataset.restore())?.id).to.equal(kept.id);
      } finally {
        after.dispose();
      }
    } finally {
      trainer.dispose();
    }
  });

  it('sends dataset errors by name with their details', async () => {
    const trainer = TrainerClient.start();
    try {
      const failure = await rejection(trainer.dataset.importZip({file: asFile(await makeZip(classFolders('', ['lonely'], 4)))}));
      expect(failure.name).to.equal(ErrorName.DatasetInvalid);
      expect(failure.details.problems[0].message).to.match(/Only one class/);
    } finally {
      trainer.dispose();
    }
  });
});
