import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {createStore, keys, type UseStore} from 'idb-keyval';
import {ErrorName} from '../../../src/shared/errors.ts';
import type {FeatureSpec} from '../../../src/shared/protocol/index.ts';
import {DatasetSession} from '../../../workers/dataset/dataset-session.ts';
import {cacheDatasetFeatures} from '../../../workers/features/cache-dataset-features.ts';
import {featureKey, readFeatures} from '../../../workers/features/feature-cache.ts';
import {preprocess} from '../../../workers/model/preprocess.ts';
import {buildVgg16} from '../../../workers/model/vgg16.ts';
import {decodeVgg16Bundle, randomVgg16Bundle} from '../../../workers/model/weights-bundle.ts';
import '../../../workers/runtime/backends.ts'; // serves the wasm binaries
import {classFolders, makeZip} from '../../support/dataset-zips.ts';
import {rejection} from '../../support/rejection.ts';

const SIZE = 32;
const freshStore = (name: string): UseStore => createStore(`tl-test-${name}-${crypto.randomUUID()}`, name);

describe('bottleneck features cached in IndexedDB', function () {
  let session: DatasetSession;
  let model: tf.LayersModel;
  let hashes: string[];
  const spec: FeatureSpec = {weightsId: 'random-he-uniform:5', layer: 'block5_pool', channels: 512, inputSize: SIZE, preprocessing: 'caffe', resize: 'bilinear'};

  before(async () => {
    await tf.setBackend('wasm');
    session = new DatasetSession(freshStore('datasets'));
    const manifest = await session.importZip(await makeZip(classFolders('', ['a', 'b'], 5)), 'f.zip', {seed: 1});
    hashes = manifest.images.map((i) => i.hash);
    const weights = decodeVgg16Bundle(randomVgg16Bundle(5));
    model = buildVgg16(SIZE, weights);
    tf.dispose(weights);
  });
  after(() => model.dispose());

  const run = (store: UseStore, overrides: Partial<Parameters<typeof cacheDatasetFeatures>[0]> = {}) =>
    cacheDatasetFeatures({
      hashes,
      spec,
      batchSize: 3,
      readPixels: (indices, signal) => session.readPixels(indices, SIZE, 'bilinear', signal),
      model: () => model,
      store,
      ...overrides,
    });

  it('stores exactly what model.predict gives on the same pixels', async () => {
    const store = freshStore('features');
    const result = await run(store);
    expect(result).to.include({fromCache: 0, computed: 10});
    const stored = await readFeatures(hashes.map((h) => featureKey(spec, h)), store);
    const pixels = await session.readPixels(hashes.map((_, i) => i), SIZE, 'bilinear');
    const direct = tf.tidy(() => (model.predict(preprocess(tf.tensor4d(pixels, [10, SIZE, SIZE, 3], 'int32'), 'caffe')) as tf.Tensor).dataSync());
    let maxDiff = 0;
    let maxAbs = 0;
    stored.forEach((features, i) => {
      expect(features, `image ${i}`).to.have.length(512);
      features!.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - direct[i * 512 + j]!));
        maxAbs = Math.max(maxAbs, Math.abs(direct[i * 512 + j]!));
      });
    });
    expect(maxAbs).to.be.greaterThan(0);
    expect(maxDiff / maxAbs).to.be.lessThan(1e-5);
  });

  it('reads every image from the cache the second time, without touching the model or the backend', async () => {
    const store = freshStore('features');
    await run(store);
    const progress: number[] = [];
    const again = await run(store, {
      model: () => {
        throw new Error('the model was asked for');
      },
      beforeCompute: () => {
        throw new Error('the backend was asked for');
      },
      readPixels: () => {
        throw new Error('pixels were decoded');
      },
      onProgress: (done) => progress.push(done),
    });
    expect(again).to.include({fromCache: 10, computed: 0});
    expect(progress).to.deep.equal([10]);
  });

  it('misses when the preprocessing (or any part of the key) changes', async () => {
    const store = freshStore('features');
    await run(store);
    const rescaled = await run(store, {spec: {...spec, preprocessing: 'rescale'}});
    expect(rescaled).to.include({fromCache: 0, computed: 10});
    const otherWeights = await run(store, {spec: {...spec, weightsId: 'sha256:other'}});
    expect(otherWeights.computed).to.equal(10);
    const nearest = await run(store, {spec: {...spec, resize: 'nearest'}, readPixels: (i, s) => session.readPixels(i, SIZE, 'nearest', s)});
    expect(nearest.computed, 'another resize is another key').to.equal(10);
    const weights = decodeVgg16Bundle(randomVgg16Bundle(5));
    const bigger = buildVgg16(64, weights);
    tf.dispose(weights);
    try {
      const otherSize = await run(store, {spec: {...spec, inputSize: 64}, model: () => bigger, readPixels: (i, s) => session.readPixels(i, 64, 'bilinear', s)});
      expect(otherSize.computed).to.equal(10);
    } finally {
      bigger.dispose();
    }
    expect(await keys(store)).to.have.length(50);
    expect((await run(store)).computed).to.equal(0);
  });

  it('keeps only complete entries when cancelled with batches in flight', async () => {
    const store = freshStore('features');
    const controller = new AbortController();
    let loads = 0;
    const err = await rejection(
      run(store, {
        signal: controller.signal,
        // Cancel while batch 2 is being decoded, batch 1 computed and batch 0 written.
        readPixels: (indices, signal) => {
          if (++loads === 3) controller.abort();
          return session.readPixels(indices, SIZE, 'bilinear', signal);
        },
      }),
    );
    expect(err.name).to.equal(ErrorName.Cancelled);
    const written = await keys<string>(store);
    expect(written.length % 3, 'whole batches only').to.equal(0);
    expect(written.length).to.be.within(3, 6);
    for (const features of await readFeatures(written, store)) expect(features).to.have.length(512);
    const resumed = await run(store);
    expect(resumed).to.include({fromCache: written.length, computed: 10 - written.length});
  });

  it('names a full quota, keeps the batches written, and says how much space a batch needs', async () => {
    const real = freshStore('features');
    let writes = 0;
    const filling: UseStore = (mode, callback) => {
      if (mode === 'readwrite' && ++writes > 2) return Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError'));
      return real(mode, callback);
    };
    const err = await rejection(run(filling));
    expect(err.name).to.equal(ErrorName.StorageQuota);
    expect(err.details).to.include({batchBytes: 3 * 512 * 4, remainingImages: 4, remainingBytes: 4 * 512 * 4});
    expect(err.message).to.match(/4 images still need about 8\.0 KiB/);
    expect(await keys(real)).to.have.length(6);
  });
});
