import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {DEFAULT_FINE_TUNE} from '../../src/shared/defaults.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import {WEIGHTS_OFFLINE_CACHE} from '../../src/shared/offline.ts';
import type {StorageListing, StoredItem, StoredKind} from '../../src/shared/protocol/index.ts';
import {deleteFeatureSet, featureKey, listFeatureSets, writeFeatures} from '../../workers/features/feature-cache.ts';
import {createStore} from '../../workers/storage/database.ts';
import {storedBytes} from '../../workers/storage/stored-bytes.ts';
import {CheckpointStore} from '../../workers/training/checkpoint-store.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {frameBitmap} from '../support/frames.ts';
import {DEMO_WEIGHTS_URL} from '../support/demo-workflow.ts';
import {rejection} from '../support/rejection.ts';
import {forgetLastVisit} from '../support/storage.ts';

/** The demo backbone's last block has 128 filters: block5_pool at 32×32 is 1×1×128 floats. */
const FEATURE_BYTES = 128 * 4;
/** Dense(256) on 128 features, then one sigmoid unit. */
const HEAD_BYTES = (128 * 256 + 256 + 256 + 1) * 4;
const DEMO_SHARD_BYTES = 3_683_136;

/** The storage service through the real worker: what is kept, item by item, and deleting each. */
describe('storage in the worker', function () {
  beforeEach(() => forgetLastVisit());
  afterEach(() => caches.delete(WEIGHTS_OFFLINE_CACHE));

  it('lists the dataset, features, weights (with their offline-cache files), head and checkpoint with their bytes', async () => {
    const zip = asFile(await makeZip(classFolders('', ['a', 'b'], 6, 71)), 'kept.zip');
    const trainer = TrainerClient.start();
    try {
      const {manifest, weights, spec} = await keepEverything(trainer, zip);
      const listing = await trainer.storage.list();

      const dataset = only(listing, 'dataset');
      const thumbnails = manifest.images.reduce((sum, image) => sum + image.thumbnail.size, 0);
      expect(dataset).to.include({datasetId: manifest.id, name: 'kept.zip', images: 12, inUse: true});
      expect(dataset.label).to.equal('kept.zip: 12 images in 2 classes');
      // The zip and the thumbnails are nearly all of it; the scan's text adds a little.
      expect(dataset.bytes).to.be.within(zip.size + thumbnails, zip.size + thumbnails + 16 * 1024);

      const features = listing.items.find((i): i is Extract<StoredItem, {kind: 'features'}> => i.kind === 'features' && i.spec?.weightsId === weights.id && i.spec.inputSize === 32);
      expect(features, JSON.stringify(listing.items)).to.not.equal(undefined);
      expect(features!.spec).to.deep.equal({weightsId: weights.id, layer: 'block5_pool', inputSize: 32, resize: 'bicubic', preprocessing: 'caffe'});
      expect(features!.covers).to.equal(12);
      expect(features!.inUse).to.equal(true);
      expect(features!.bytes).to.equal(features!.entries * FEATURE_BYTES);

      const kept = listing.items.find((i): i is Extract<StoredItem, {kind: 'weights'}> => i.kind === 'weights' && i.weightsId === weights.id)!;
      expect(kept).to.include({inUse: true, url: DEMO_WEIGHTS_URL});
      expect(kept.widths).to.deep.equal([16, 32, 64, 128, 128]);
      expect(kept.copies.offlineCache, 'the service worker’s copy of the shard').to.equal(1234);
      expect(kept.copies.indexedDB).to.be.within(DEMO_SHARD_BYTES, DEMO_SHARD_BYTES + 16 * 1024);
      expect(kept.bytes).to.equal(kept.copies.indexedDB + kept.copies.offlineCache);

      const head = only(listing, 'head');
      expect(head).to.include({datasetId: manifest.id, inUse: true});
      expect(head.spec).to.deep.equal(spec);
      expect(head.bytes).to.be.within(HEAD_BYTES, HEAD_BYTES + 4096);

      const checkpoint = only(listing, 'checkpoint');
      expect(checkpoint).to.include({datasetId: manifest.id, epoch: 1, epochs: 2, inUse: true});
      expect(checkpoint.bytes).to.be.within(2 * 4000, 2 * 4000 + 4096);

      expect(listing.persistent).to.equal(true);
      expect(listing.estimate!.usage).to.be.greaterThan(DEMO_SHARD_BYTES);
      expect(listing.estimate!.quota).to.be.greaterThan(listing.estimate!.usage);
      console.log(
        `kept: ${listing.items.map((i) => `${i.kind} ${i.bytes} B`).join(', ')}; the browser's estimate: ${listing.estimate!.usage} B used, ${JSON.stringify(listing.estimate!.details)}`,
      );
    } finally {
      trainer.dispose();
    }
  });

  it('deletes each item, and the session gives up what it was using: the steps then wait with named errors', async () => {
    const zip = asFile(await makeZip(classFolders('', ['a', 'b'], 6, 72)), 'doomed.zip');
    const trainer = TrainerClient.start();
    try {
      const {weights, spec} = await keepEverything(trainer, zip);
      const id = async (kind: StoredKind) => {
        const items = (await trainer.storage.list()).items.filter((i) => i.kind === kind);
        return kind === 'weights' || kind === 'features' ? items.find((i) => (i.kind === 'weights' ? i.weightsId : i.kind === 'features' ? i.spec?.weightsId : '') === weights.id)?.id : items[0]?.id;
      };

      const features = await trainer.storage.remove((await id('features'))!);
      expect(features.unloaded, 'nothing is loaded from the feature cache').to.deep.equal([]);
      expect(await id('features')).to.equal(undefined);
      expect((await rejection(trainer.head.train({spec, options: {epochs: 1}}))).name).to.equal(ErrorName.FeaturesMissing);

      const checkpoint = await trainer.storage.remove((await id('checkpoint'))!);
      expect(checkpoint.unloaded).to.deep.equal(['checkpoint']);
      expect(await trainer.fineTune.checkpoint()).to.equal(null);

      const head = await trainer.storage.remove((await id('head'))!);
      expect(head.unloaded).to.deep.equal(['head']);
      expect(await trainer.head.info(), 'not read back either').to.equal(null);

      const kept = await trainer.storage.remove((await id('weights'))!);
      expect(kept.unloaded).to.deep.equal(['weights']);
      expect(kept.removed.bytes).to.be.greaterThan(DEMO_SHARD_BYTES);
      expect(await trainer.weights.info()).to.equal(null);
      expect(await (await caches.open(WEIGHTS_OFFLINE_CACHE)).keys(), 'the offline cache’s files went with them').to.have.length(0);
      expect((await rejection(trainer.features.compute({inputSize: 32, preprocessing: 'caffe'}))).name).to.equal(ErrorName.WeightsNotLoaded);

      const dataset = await trainer.storage.remove((await id('dataset'))!);
      expect(dataset.unloaded).to.deep.equal(['dataset']);
      expect((await rejection(trainer.features.compute({inputSize: 32, preprocessing: 'caffe'}))).name).to.equal(ErrorName.NoDataset);
      expect(await trainer.dataset.restore(), 'nothing kept for the next visit').to.equal(null);

      const left = (await trainer.storage.list()).items;
      expect(left.filter((i) => i.kind === 'dataset' || i.kind === 'head' || i.kind === 'checkpoint')).to.deep.equal([]);
      const again = await rejection(trainer.storage.remove(dataset.removed.id));
      expect(again.name, 'an item the list no longer has').to.equal(ErrorName.InvalidRequest);
    } finally {
      trainer.dispose();
    }
  });

  it('lists the webcam’s classes and frames with their bytes, and deletes them all at once', async () => {
    const trainer = TrainerClient.start();
    try {
      expect((await trainer.storage.list()).items.filter((i) => i.kind === 'webcam'), 'none before a class is made').to.deep.equal([]);
      const up = await trainer.webcam.addClass('thumbs up');
      await trainer.webcam.addClass('thumbs down');
      const taken = [await trainer.webcam.capture(up.id, await frameBitmap(1)), await trainer.webcam.capture(up.id, await frameBitmap(2))];
      const item = only(await trainer.storage.list(), 'webcam');
      expect(item).to.include({label: '2 frame(s) in 2 class(es): thumbs up, thumbs down', frames: 2, inUse: false, savedAt: taken[1]!.capturedAt});
      expect(item.classes).to.deep.equal(['thumbs up', 'thumbs down']);
      // The PNGs and their previews are nearly all of it.
      const images = taken.reduce((sum, f) => sum + f.bytes + f.thumbnail.size, 0);
      expect(item.bytes).to.be.within(images, images + 2048);

      expect((await trainer.storage.remove(item.id)).unloaded, 'the session never uses the frames').to.deep.equal([]);
      expect(await trainer.webcam.classes()).to.deep.equal([]);
      expect((await trainer.storage.list()).items.filter((i) => i.kind === 'webcam')).to.deep.equal([]);
    } finally {
      trainer.dispose();
    }
  });

  it('deletes an item that is not in use without touching the session', async () => {
    const trainer = TrainerClient.start();
    try {
      const zip = asFile(await makeZip(classFolders('', ['a', 'b'], 6, 73)), 'first.zip');
      const {manifest} = await keepEverything(trainer, zip);
      // A checkpoint of another dataset: kept, but not this session's.
      const store = new CheckpointStore();
      const other = await store.manifest();
      await store.run('another-run').save({manifest: {...other!, datasetId: 'another-dataset'}, weights: [], optimizer: []});
      const item = only(await trainer.storage.list(), 'checkpoint');
      expect(item.inUse).to.equal(false);
      expect((await trainer.storage.remove(item.id)).unloaded).to.deep.equal([]);
      expect((await trainer.dataset.pixels({indices: [0], size: 32, resize: 'bilinear'})).length, 'the dataset is still loaded').to.equal(32 * 32 * 3);
      expect(only(await trainer.storage.list(), 'dataset').datasetId).to.equal(manifest.id);
    } finally {
      trainer.dispose();
    }
  });
});

describe('what the storage list counts', () => {
  it('counts binary parts exactly, text by length, numbers as 8 bytes', () => {
    const blob = new Blob([new Uint8Array(1000)]);
    expect(storedBytes({zip: blob, data: new ArrayBuffer(64), view: new Float32Array(4), name: 'abc', n: 1, ok: true, none: null})).to.equal(
      'zip'.length + 1000 + 'data'.length + 64 + 'view'.length + 16 + 'name'.length + 3 + 'n'.length + 8 + 'ok'.length + 1 + 'none'.length,
    );
    expect(storedBytes([new ArrayBuffer(10), new ArrayBuffer(20)])).to.equal(30);
  });

  it('groups the feature cache by spec, with entries of an earlier schema apart, and deletes one set alone', async () => {
    const name = `transfer-lab-test-features-${Math.random()}`;
    const store = createStore(name, 'features');
    const a = {weightsId: 'w|with-a-bar', layer: 'block5_pool', channels: 4, inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'} as const;
    const b = {...a, inputSize: 64} as const;
    await writeFeatures([[featureKey(a, 'h1'), new Float32Array(4)], [featureKey(a, 'h2'), new Float32Array(4)], [featureKey(b, 'h1'), new Float32Array(16)]], store);
    await store('readwrite', (s) => s.put(new ArrayBuffer(8), 'f1|old|block5_pool|32|caffe|h1'));
    const sets = await listFeatureSets(store);
    const of = (inputSize: number) => sets.find((s) => s.spec?.inputSize === inputSize)!;
    expect(of(32).spec).to.deep.equal({weightsId: 'w|with-a-bar', layer: 'block5_pool', inputSize: 32, resize: 'bilinear', preprocessing: 'caffe'});
    expect(of(32)).to.include({bytes: 2 * 16});
    expect(of(32).hashes).to.deep.equal(['h1', 'h2']);
    expect(of(64)).to.include({bytes: 64});
    const stale = sets.find((s) => s.spec === null)!;
    expect(stale.hashes).to.have.length(1);
    expect(await deleteFeatureSet(of(32).prefix, store)).to.equal(2);
    expect((await listFeatureSets(store)).map((s) => s.spec?.inputSize ?? 'stale').sort()).to.deep.equal([64, 'stale']);
    expect(await deleteFeatureSet(stale.prefix, store)).to.equal(1);
    indexedDB.deleteDatabase(name);
  });
});

/**
 * Every kind of item, as the steps keep them: the demo backbone (kept in
 * IndexedDB, plus a shard in the service worker's cache as the app's
 * runtime caching puts it), the zip, its features, a head, and a checkpoint
 * written as fine-tuning writes one (fine-tuning itself is tested elsewhere).
 */
async function keepEverything(trainer: TrainerClient, zip: File) {
  await trainer.runtime.configure({});
  const weights = await trainer.weights.load({kind: 'url', url: DEMO_WEIGHTS_URL});
  const manifest = await trainer.dataset.importZip({file: zip, options: {seed: 1, fractions: {train: 0.5, validation: 0.5, test: 0}}});
  const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'bicubic', batchSize: 6});
  await trainer.head.train({spec, options: {epochs: 1, batchSize: 6}});
  const tensor = (name: string) => ({name, shape: [1000], dtype: 'float32' as const, data: new ArrayBuffer(4000)});
  await new CheckpointStore().run('kept-run').save({
    manifest: {epoch: 1, spec, datasetId: manifest.id, classes: manifest.classes, options: {...DEFAULT_FINE_TUNE, epochs: 2}, history: []},
    weights: [tensor('block5_conv1/kernel')],
    optimizer: [tensor('block5_conv1/kernel/momentum')],
  });
  const cache = await caches.open(WEIGHTS_OFFLINE_CACHE);
  await cache.put(new URL('group1-shard1of1.bin', DEMO_WEIGHTS_URL).href, new Response(new Uint8Array(1234)));
  return {manifest, weights, spec};
}

function only<K extends StoredKind>(listing: StorageListing, kind: K): Extract<StoredItem, {kind: K}> {
  const items = listing.items.filter((i): i is Extract<StoredItem, {kind: K}> => i.kind === kind);
  expect(items, `${kind}: ${JSON.stringify(listing.items)}`).to.have.length(1);
  return items[0]!;
}
