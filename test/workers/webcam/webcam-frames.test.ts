import {expect} from '@open-wc/testing';
import {createStore} from 'idb-keyval';
import {ErrorName} from '../../../src/shared/errors.ts';
import type {DatasetManifest} from '../../../src/shared/protocol/index.ts';
import {DatasetSession} from '../../../workers/dataset/dataset-session.ts';
import {decodeImage, rgbaPixels} from '../../../workers/dataset/decode-image.ts';
import {checkClassName} from '../../../workers/webcam/class-names.ts';
import {encodeFrame} from '../../../workers/webcam/encode-frame.ts';
import {FrameStore, type ClassFrames} from '../../../workers/webcam/frame-store.ts';
import {framesZip} from '../../../workers/webcam/frames-zip.ts';
import {splitZip} from '../../../workers/webcam/split-zip.ts';
import {makeZip} from '../../support/dataset-zips.ts';
import {frameBitmap} from '../../support/frames.ts';
import {rejection} from '../../support/rejection.ts';

const freshSession = () => new DatasetSession(createStore(`tl-test-datasets-${crypto.randomUUID()}`, 'datasets'));
const freshFrameStore = () => createStore(`tl-test-webcam-${crypto.randomUUID()}`, 'frames');

/** A frame encoded as the worker keeps it; the bitmap is closed. */
async function encoded(seed: number) {
  const bitmap = await frameBitmap(seed);
  try {
    return await encodeFrame(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Classes of `count` PNG frames each, as the frame store hands them to the zip. */
async function classFrames(counts: Record<string, number>): Promise<ClassFrames[]> {
  let seed = 1;
  const out: ClassFrames[] = [];
  for (const [name, count] of Object.entries(counts)) {
    const frames: Blob[] = [];
    for (let i = 0; i < count; i++) frames.push((await encoded(seed++)).png);
    out.push({name, frames});
  }
  return out;
}

/** The same frames as a zip made by hand: other file names, deflated, with folder entries for empty classes. */
async function handMadeZip(classes: readonly ClassFrames[]): Promise<Blob> {
  const files: Record<string, Uint8Array | null> = {};
  for (const {name, frames} of classes) {
    if (frames.length === 0) files[`${name}/`] = null;
    for (const [k, png] of frames.entries()) files[`${name}/photo ${k}.png`] = new Uint8Array(await png.arrayBuffer());
  }
  return makeZip(files);
}

const bySplit = (m: DatasetManifest) => Object.fromEntries(m.images.map((i) => [i.hash, `${m.classes[i.label]}:${i.split}`]));

describe('webcam frames: kept, then a dataset like a zip', function () {
  it('keeps a frame as a lossless PNG of the pixels the worker reads, with the dataset import’s thumbnail', async () => {
    const bitmap = await frameBitmap(7);
    try {
      const frame = await encodeFrame(bitmap);
      expect(frame.png.type).to.equal('image/png');
      expect([frame.width, frame.height]).to.deep.equal([48, 48]);
      const decoded = await decodeImage(new Uint8Array(await frame.png.arrayBuffer()));
      try {
        expect(rgbaPixels(decoded).data, 'the PNG decodes to the very pixels of the frame').to.deep.equal(rgbaPixels(bitmap).data);
      } finally {
        decoded.close();
      }
      const preview = await createImageBitmap(frame.thumbnail);
      expect([frame.thumbnail.type, preview.width, preview.height]).to.deep.equal(['image/webp', 96, 96]);
      preview.close();
    } finally {
      bitmap.close();
    }
  });

  it('takes class names that come back from the zip as the same class, and says what is wrong with the others', () => {
    expect(checkClassName('  thumbs up ', [])).to.equal('thumbs up');
    const refused: Array<[string, RegExp]> = [
      ['   ', /needs a name/],
      ['a/b', /folder name/],
      ['..', /folder name/],
      ['__MACOSX', /litter/],
      ['.DS_Store', /litter/],
      ['evil\u202Egnp', /control or text-direction/],
      ['x'.repeat(65), /at most 64/],
      ['Cats', /already a class "cats"/],
    ];
    for (const [name, why] of refused) {
      let err: (Error & {details?: unknown}) | undefined;
      try {
        checkClassName(name, ['cats']);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name, name).to.equal(ErrorName.InvalidRequest);
      expect(err?.message, name).to.match(why);
    }
  });

  it('keeps classes and frames in IndexedDB in the order they came, through renames and deletions', async () => {
    const store = freshFrameStore();
    const frames = new FrameStore(store);
    const up = await frames.addClass('up');
    const down = await frames.addClass('down');
    const taken = [];
    for (let seed = 1; seed <= 3; seed++) taken.push(await frames.addFrame(up.id, await encoded(seed)));
    await frames.addFrame(down.id, await encoded(9));
    await frames.deleteFrame(up.id, taken[1]!.id);
    expect(await frames.renameClass(down.id, ' way down ')).to.equal('way down');
    expect((await rejection(frames.renameClass(up.id, 'WAY DOWN'))).name).to.equal(ErrorName.InvalidRequest);
    expect((await rejection(frames.addFrame('no-such-class', await encoded(4)))).name).to.equal(ErrorName.InvalidRequest);

    const reopened = await new FrameStore(store).classes(); // as after a reload
    expect(reopened.map((c) => [c.name, c.frames.map((f) => f.id)])).to.deep.equal([
      ['up', [taken[0]!.id, taken[2]!.id]],
      ['way down', [(await frames.classes())[1]!.frames[0]!.id]],
    ]);
    expect(reopened[0]!.frames[0]!.bytes).to.be.greaterThan(0);

    await frames.clearClass(up.id);
    await frames.removeClass(down.id);
    expect((await new FrameStore(store).classes()).map((c) => [c.name, c.frames.length])).to.deep.equal([['up', 0]]);
  });

  it('says StorageQuotaError when the disk is full, and keeps the frames captured before', async () => {
    const real = freshFrameStore();
    let full = false;
    const store: typeof real = (mode, callback) =>
      full && mode === 'readwrite' ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : real(mode, callback);
    const frames = new FrameStore(store);
    const cup = await frames.addClass('cup');
    await frames.addFrame(cup.id, await encoded(1));
    full = true;
    const err = await rejection(frames.addFrame(cup.id, await encoded(2)));
    expect(err.name).to.equal(ErrorName.StorageQuota);
    expect(err.message).to.match(/no room to keep another frame .*the frames captured before are kept/);
    expect((await new FrameStore(real).classes())[0]!.frames).to.have.length(1);
  });

  it('makes a dataset exactly like a zip of class folders (same images, split and id), and writes it out again by its split', async () => {
    const classes = await classFrames({right: 6, left: 6});
    const file = await framesZip(classes);
    expect(file.name).to.equal('webcam.zip');
    const session = freshSession();
    const webcam = await session.importZip(file, file.name, {seed: 3});
    const byHand = await freshSession().importZip(await handMadeZip(classes), 'by-hand.zip', {seed: 3});
    expect(webcam.layout).to.equal('classes');
    expect(webcam.classes).to.deep.equal(['left', 'right']);
    expect(webcam.id, 'the same images, labels and split').to.equal(byHand.id);
    expect(bySplit(webcam)).to.deep.equal(bySplit(byHand));
    expect(webcam.counts).to.deep.equal({train: [4, 4], validation: [1, 1], test: [1, 1]});
    expect(webcam.images.map((i) => i.path)).to.include('left/frame-0001.png');

    const split = await splitZip(webcam, {read: (index) => session.readFile(index)});
    expect(split.fileName).to.equal('webcam-by-split.zip');
    const again = await freshSession().importZip(split.zip, split.fileName, {});
    expect(again.layout).to.equal('splits');
    expect(again.id, 'the split zip is the same dataset').to.equal(webcam.id);
  });

  it('refuses what a zip made by hand is refused for, with the same named errors', async () => {
    const cases: Array<[Record<string, number>, string, RegExp]> = [
      [{only: 5}, ErrorName.DatasetInvalid, /Only one class was found \("only"\)/],
      [{a: 5, b: 0}, ErrorName.DatasetInvalid, /Class "b" has no usable images/],
      [{a: 5, b: 2}, ErrorName.DatasetInvalid, /Class "b" has no images in validation/],
      [{}, ErrorName.NoImages, /No usable image/],
    ];
    for (const [counts, name, message] of cases) {
      const classes = await classFrames(counts);
      const webcam = await rejection(freshSession().importZip(await framesZip(classes), 'webcam.zip', {}));
      const byHand = await rejection(freshSession().importZip(await handMadeZip(classes), 'webcam.zip', {}));
      expect(webcam.name, JSON.stringify(counts)).to.equal(name);
      expect(webcam.message, JSON.stringify(counts)).to.match(message);
      expect(webcam.message, 'word for word what the zip gets').to.equal(byHand.message);
    }
  });
});
