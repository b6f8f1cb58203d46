import {expect} from '@open-wc/testing';
import {createStore} from 'idb-keyval';
import {ErrorName} from '../../../src/shared/errors.ts';
import type {DatasetManifest, ImportLimits, ImportOptions} from '../../../src/shared/protocol/index.ts';
import {DatasetSession} from '../../../workers/dataset/dataset-session.ts';
import {rejection} from '../../support/rejection.ts';
import {
  classFolders,
  encodeBmp,
  encodePicture,
  makeZip,
  overlapSecondEntry,
  tinyGif,
  understateFirstEntry,
  type ZipContent,
} from '../../support/dataset-zips.ts';

const freshSession = () => new DatasetSession(createStore(`tl-test-datasets-${crypto.randomUUID()}`, 'datasets'));

async function importZip(zip: Blob, options: ImportOptions = {}, limits: Partial<ImportLimits> = {}): Promise<DatasetManifest> {
  return freshSession().importZip(zip, 'dataset.zip', options, {limits});
}

const importError = (zip: Blob, limits: Partial<ImportLimits> = {}) => rejection(importZip(zip, {}, limits));

const countsOf = (m: DatasetManifest) => m.counts;

describe('dataset import: layouts', function () {
  it('reads train/validation/test folders, labels classes in sorted order, and counts per split', async () => {
    const zip = await makeZip({
      ...classFolders('train/', ['sharks', 'dolphins'], 4, 1),
      ...classFolders('validation/', ['sharks', 'dolphins'], 2, 2),
      ...classFolders('test/', ['sharks', 'dolphins'], 1, 3),
    });
    const m = await importZip(zip);
    expect(m.layout).to.equal('splits');
    expect(m.wrapper).to.equal(null);
    expect(m.classes).to.deep.equal(['dolphins', 'sharks']);
    expect(countsOf(m)).to.deep.equal({train: [4, 4], validation: [2, 2], test: [1, 1]});
    expect(m.images).to.have.length(14);
    expect(m.images.every((i) => /^[0-9a-f]{64}$/.test(i.hash))).to.equal(true);
    expect(m.images.every((i) => i.thumbnail.type === 'image/webp' && i.thumbnail.size > 0)).to.equal(true);
    expect(m.split).to.equal(null);
    expect(m.stored).to.equal(true);
  });

  it('accepts val/ and valid/ for validation, any case, inside one wrapper folder', async () => {
    for (const val of ['val', 'Valid', 'VALIDATION']) {
      const zip = await makeZip({
        ...classFolders('sharks_vs_dolphins/Train/', ['a', 'b'], 2, 1),
        ...classFolders(`sharks_vs_dolphins/${val}/`, ['a', 'b'], 1, 2),
      });
      const m = await importZip(zip);
      expect(m.wrapper, val).to.equal('sharks_vs_dolphins');
      expect(countsOf(m), val).to.deep.equal({train: [2, 2], validation: [1, 1], test: [0, 0]});
      expect(m.warnings.filter((w) => w.kind === 'missing-test-class')).to.have.length(2);
    }
  });

  it('finds the wrapper folder of a zip made by zip -r, Finder or Explorer (folder entries, a README beside the data)', async () => {
    const folders = ['sharks_vs_dolphins/', 'sharks_vs_dolphins/train/', 'sharks_vs_dolphins/train/a/', 'sharks_vs_dolphins/train/b/',
      'sharks_vs_dolphins/validation/', 'sharks_vs_dolphins/validation/a/', 'sharks_vs_dolphins/validation/b/'];
    const zip = await makeZip({
      ...Object.fromEntries(folders.map((f) => [f, null])),
      'sharks_vs_dolphins/README.md': 'Sharks vs dolphins, from the course.',
      ...classFolders('sharks_vs_dolphins/train/', ['a', 'b'], 2),
      ...classFolders('sharks_vs_dolphins/validation/', ['a', 'b'], 1, 2),
    });
    const m = await importZip(zip);
    expect(m.wrapper).to.equal('sharks_vs_dolphins');
    expect(m.layout).to.equal('splits');
    expect(m.classes).to.deep.equal(['a', 'b']);
    expect(m.ignored.examples).to.include('sharks_vs_dolphins/README.md');

    const classesOnly = await importZip(
      await makeZip({'pets/': null, 'pets/cats/': null, 'pets/dogs/': null, ...classFolders('pets/', ['cats', 'dogs'], 5)}),
    );
    expect(classesOnly.wrapper).to.equal('pets');
    expect(classesOnly.classes).to.deep.equal(['cats', 'dogs']);
  });

  it('refuses split fractions that cannot split, by name', async () => {
    const session = freshSession();
    await session.importZip(await makeZip(classFolders('', ['x', 'y'], 6)), 'd.zip', {});
    const err = await rejection(session.resplit({seed: 1, fractions: {train: 0, validation: 0, test: 0}}));
    expect(err.name).to.equal(ErrorName.InvalidRequest);
  });

  it('splits a zip of class folders only, stratified, reproducibly by seed', async () => {
    const zip = await makeZip(classFolders('', ['cats', 'dogs'], 20));
    const a = await importZip(zip, {seed: 7, fractions: {train: 0.5, validation: 0.25, test: 0.25}});
    expect(a.layout).to.equal('classes');
    expect(countsOf(a)).to.deep.equal({train: [10, 10], validation: [5, 5], test: [5, 5]});
    expect(a.split).to.deep.equal({seed: 7, fractions: {train: 0.5, validation: 0.25, test: 0.25}});
    const again = await importZip(zip, {seed: 7, fractions: {train: 0.5, validation: 0.25, test: 0.25}});
    expect(again.images.map((i) => i.split)).to.deep.equal(a.images.map((i) => i.split));
    expect(again.id).to.equal(a.id);
    const other = await importZip(zip, {seed: 8, fractions: {train: 0.5, validation: 0.25, test: 0.25}});
    expect(other.images.map((i) => i.split)).not.to.deep.equal(a.images.map((i) => i.split));
    expect(other.id).not.to.equal(a.id);

    const byDefault = await importZip(zip);
    expect(countsOf(byDefault)).to.deep.equal({train: [14, 14], validation: [3, 3], test: [3, 3]});
  });

  it('redraws the split without reading the zip again', async () => {
    const session = freshSession();
    const zip = await makeZip(classFolders('data/', ['cats', 'dogs'], 10));
    const first = await session.importZip(zip, 'd.zip', {seed: 1});
    expect(first.wrapper).to.equal('data');
    const redrawn = await session.resplit({seed: 1, fractions: {train: 0.6, validation: 0.2, test: 0.2}});
    expect(countsOf(redrawn)).to.deep.equal({train: [6, 6], validation: [2, 2], test: [2, 2]});
    expect(redrawn.images.map((i) => i.hash)).to.deep.equal(first.images.map((i) => i.hash));
  });

  it('ignores and counts OS litter and non-image files, and sniffs formats by content, not extension', async () => {
    const png = await encodePicture('png', {seed: 5});
    const jpeg = await encodePicture('jpeg', {seed: 6});
    const webp = await encodePicture('webp', {seed: 7});
    const zip = await makeZip({
      '__MACOSX/train/a/._x.png': 'resource fork',
      'train/a/._x.png': 'resource fork',
      'train/.DS_Store': 'junk',
      'train/a/Thumbs.db': 'junk',
      'train/b/desktop.ini': 'junk',
      'README.txt': 'about this dataset',
      'train/a/labels.csv': 'a,b',
      'train/a/one.PNG': png,
      'train/a/two.jpg': png, // a PNG with a .jpg name
      'train/b/three.JPEG': jpeg,
      'train/b/four.data': webp, // no image extension, but WebP bytes
      'train/b/five.gif': tinyGif(),
      'validation/a/six.bmp': encodeBmp({seed: 9}),
      'validation/b/seven.webp': await encodePicture('webp', {seed: 10}),
    });
    const m = await importZip(zip);
    expect(m.images.map((i) => [i.path, i.format])).to.deep.equal([
      ['train/a/one.PNG', 'png'],
      ['train/a/two.jpg', 'png'],
      ['train/b/three.JPEG', 'jpeg'],
      ['train/b/four.data', 'webp'],
      ['train/b/five.gif', 'gif'],
      ['validation/a/six.bmp', 'bmp'],
      ['validation/b/seven.webp', 'webp'],
    ]);
    expect(m.ignored.count).to.equal(7);
    expect(m.ignored.examples).to.include('README.txt');
    expect(m.skipped).to.deep.equal([]);
  });

  it('strips bidi, control and zero-width characters from every name it shows', async () => {
    const zip = await makeZip({
      ...classFolders('train/', ['a', 'b\u200b\u0007'], 1),
      ...classFolders('validation/', ['a', 'b\u200b\u0007'], 1, 2),
      'train/a/evil\u202Egnp.exe.bmp': encodeBmp({seed: 99}),
    });
    const m = await importZip(zip);
    expect(m.classes).to.deep.equal(['a', 'b']);
    expect(m.images.some((i) => i.path === 'train/a/evilgnp.exe.bmp')).to.equal(true);
    expect(m.images.every((i) => !/[\u0000-\u001f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.test(i.path))).to.equal(true);
  });

  it('accepts images with data after their end marker (motion photos, appended metadata)', async () => {
    const jpeg = await encodePicture('jpeg', {seed: 21});
    const png = await encodePicture('png', {seed: 22});
    const trailer = new TextEncoder().encode('....ftypmp42 appended video bytes'.repeat(10));
    const zip = await makeZip({
      ...classFolders('train/', ['a', 'b'], 1),
      ...classFolders('validation/', ['a', 'b'], 1, 2),
      'train/a/motion.jpg': new Uint8Array([...jpeg, ...trailer]),
      'train/b/tagged.png': new Uint8Array([...png, ...trailer]),
    });
    const m = await importZip(zip);
    expect(m.skipped).to.deep.equal([]);
    expect(m.images.map((i) => i.path)).to.include.members(['train/a/motion.jpg', 'train/b/tagged.png']);
  });
});

describe('dataset import: bad files are skipped with a reason', function () {
  it('keeps the valid images and lists each bad file with why', async () => {
    const jpeg = await encodePicture('jpeg', {width: 64, height: 48, seed: 3});
    const png = await encodePicture('png', {width: 64, height: 48, seed: 4});
    const zip = await makeZip({
      ...classFolders('train/', ['a', 'b'], 2),
      ...classFolders('validation/', ['a', 'b'], 1, 2),
      'train/a/random.jpg': crypto.getRandomValues(new Uint8Array(new ArrayBuffer(500))),
      'train/a/half.jpg': jpeg.slice(0, Math.floor(jpeg.length / 2)),
      'train/a/half.png': png.slice(0, Math.floor(png.length / 2)),
      'train/b/empty.png': new Uint8Array(0),
      'train/b/huge.bmp': encodeBmp({width: 300, height: 10, seed: 5}),
      'train/b/vector.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
      'train/b/photo.heic': Uint8Array.from([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1heic')]),
    });
    const m = await importZip(zip, {}, {maxImageSide: 200});
    expect(countsOf(m)).to.deep.equal({train: [2, 2], validation: [1, 1], test: [0, 0]});
    const reasons = Object.fromEntries(m.skipped.map((s) => [s.path.split('/').at(-1), s.reason]));
    expect(reasons).to.deep.equal({
      'random.jpg': 'undecodable',
      'half.jpg': 'truncated',
      'half.png': 'truncated',
      'empty.png': 'empty',
      'huge.bmp': 'too-large',
      'vector.svg': 'unsupported-format',
      'photo.heic': 'unsupported-format',
    });
    expect(m.skipped.find((s) => s.path.endsWith('photo.heic'))!.message).to.match(/HEIC/);
    expect(m.warnings.some((w) => w.kind === 'skipped-files')).to.equal(true);
  });
});

describe('dataset import: whole-archive errors store nothing', function () {
  const twoClasses = () => ({...classFolders('train/', ['a', 'b'], 2), ...classFolders('validation/', ['a', 'b'], 1, 2)});

  it('names a file that is not a zip', async () => {
    const err = await importError(new Blob([await encodePicture('png')]));
    expect(err.name).to.equal(ErrorName.NotAZip);
  });

  it('names a truncated archive', async () => {
    const zip = await makeZip(twoClasses());
    const err = await importError(zip.slice(0, Math.floor(zip.size * 0.6)));
    expect(err.name).to.equal(ErrorName.ArchiveCorrupt);
    expect(err.details.code).to.equal('truncated');
  });

  it('names password-protected entries', async () => {
    const err = await importError(await makeZip(twoClasses(), {password: 'secret'}));
    expect(err.name).to.equal(ErrorName.ArchiveEncrypted);
  });

  it('names too many entries, too many bytes, and a suspicious compression ratio', async () => {
    const zip = await makeZip(twoClasses());
    expect((await importError(zip, {maxEntries: 5})).details.code).to.equal('entries');
    expect((await importError(zip, {maxTotalBytes: 1000})).details.code).to.equal('total-size');
    const bomb = await makeZip({...twoClasses(), 'train/a/zeros.bmp': new Uint8Array(4 * 2 ** 20)}, {level: 9});
    const err = await importError(bomb);
    expect(err.name).to.equal(ErrorName.ArchiveTooLarge);
    expect(err.details.code).to.equal('ratio');
  });

  it('names overlapping entries', async () => {
    const err = await importError(await overlapSecondEntry(await makeZip(twoClasses())));
    expect(err.name).to.equal(ErrorName.ArchiveCorrupt);
    expect(err.details.code).to.equal('overlap');
  });

  it('names an entry that unpacks to more than it declares', async () => {
    const err = await importError(await understateFirstEntry(await makeZip(twoClasses(), {dataDescriptor: false}), 10));
    expect(err.name).to.equal(ErrorName.ArchiveCorrupt);
    expect(err.details.code).to.equal('size-mismatch');
  });

  it('names headers that disagree about an entry', async () => {
    // With a data descriptor, the entry's real size is written a third time, after its data.
    const err = await importError(await understateFirstEntry(await makeZip(twoClasses()), 10));
    expect(err.name).to.equal(ErrorName.ArchiveCorrupt);
    expect(err.details.code).to.equal('ambiguous');
  });

  it('names a zip without images', async () => {
    const err = await importError(await makeZip({'notes/readme.txt': 'hello', 'data.csv': '1,2'}));
    expect(err.name).to.equal(ErrorName.NoImages);
  });
});

describe('dataset import: datasets that cannot train are explained', function () {
  async function problems(files: Record<string, ZipContent>): Promise<string[]> {
    const err = await importError(await makeZip(files));
    expect(err.name).to.equal(ErrorName.DatasetInvalid);
    return (err.details.problems as {message: string; fix: string}[]).map((p) => `${p.message} ${p.fix}`);
  }

  it('a single class', async () => {
    const found = await problems(classFolders('', ['only'], 5));
    expect(found.join('\n')).to.match(/Only one class was found \("only"\).*at least two classes/);
  });

  it('a class folder with no images', async () => {
    const found = await problems({...classFolders('train/', ['a', 'b'], 2), ...classFolders('validation/', ['a', 'b'], 1, 2), 'train/c/': null, 'validation/c/': null});
    expect(found.join('\n')).to.match(/Class "c" has no usable images\. Add images to the "c" folder, or remove it/);
  });

  it('a class present in train but missing from validation', async () => {
    const found = await problems({...classFolders('train/', ['a', 'b'], 2), ...classFolders('validation/', ['a'], 1, 2)});
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/Class "b" has no images in validation\. Add "b" images to validation\/b\//);
  });

  it('keeps the previous dataset when an import fails', async () => {
    const session = freshSession();
    const good = await session.importZip(await makeZip(classFolders('', ['x', 'y'], 6)), 'good.zip', {});
    try {
      await session.importZip(await makeZip(classFolders('', ['only'], 3)), 'bad.zip', {});
    } catch {
      // expected
    }
    expect(session.manifest()!.id).to.equal(good.id);
  });
});
