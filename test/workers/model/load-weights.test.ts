import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {createStore, get, type UseStore} from 'idb-keyval';
import {ErrorName, hasErrorName} from '../../../src/shared/errors.ts';
import type {Progress} from '../../../src/shared/protocol/index.ts';
import {loadVgg16Weights} from '../../../workers/model/load-weights.ts';
import {concatBuffers, decodeVgg16Bundle, randomVgg16Bundle, type WeightsBundle} from '../../../workers/model/weights-bundle.ts';
import {expectedWeightShapes} from '../../../workers/model/vgg16-layout.ts';
import {buildVgg16} from '../../../workers/model/vgg16.ts';
import {serveLayersModel} from '../../support/fixtures.ts';
import {rejection} from '../../support/rejection.ts';

const freshStore = (): UseStore => createStore(`tl-test-weights-${crypto.randomUUID()}`, 'bundles');

/** Each weight of the bundle as raw 32-bit words, for bit-exact comparison. */
function bundleWords(bundle: WeightsBundle): Map<string, Uint32Array> {
  const words = new Map<string, Uint32Array>();
  let offset = 0;
  for (const spec of bundle.specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    words.set(spec.name, new Uint32Array(bundle.data, offset, n));
    offset += n * 4;
  }
  return words;
}

/** The tensors a model would be built from equal the original weights, bit for bit. */
function expectBitIdentical(loaded: WeightsBundle, bundle: WeightsBundle): void {
  const expected = bundleWords(bundle);
  const tensors = decodeVgg16Bundle(loaded);
  expect(Object.keys(tensors).sort()).to.deep.equal([...expected.keys()].sort());
  for (const [name, words] of expected) {
    const actual = new Uint32Array((tensors[name]!.dataSync() as Float32Array).slice().buffer);
    expect(actual.length, name).to.equal(words.length);
    const firstDiff = actual.findIndex((w, i) => w !== words[i]);
    expect(firstDiff, `${name} differs at element ${firstDiff}`).to.equal(-1);
  }
  tf.dispose(tensors);
}

/** A copy of the bundle with some weights dropped or reshaped (reshaped ones keep a prefix of their values). */
function editBundle(bundle: WeightsBundle, edit: (name: string, shape: number[]) => number[] | null): WeightsBundle {
  const words = bundleWords(bundle);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: ArrayBuffer[] = [];
  for (const spec of bundle.specs) {
    const shape = edit(spec.name, spec.shape);
    if (!shape) continue;
    specs.push({...spec, shape});
    const part = new Uint32Array(shape.reduce((a, b) => a * b, 1));
    part.set(words.get(spec.name)!.subarray(0, part.length));
    parts.push(part.buffer);
  }
  return {specs, data: concatBuffers(parts)};
}

async function expectMismatch(promise: Promise<unknown>): Promise<string[]> {
  const err = await rejection(promise);
  expect(hasErrorName(err, ErrorName.WeightsMismatch), String(err)).to.equal(true);
  return err.details.problems;
}

describe('loadVgg16Weights', function () {
  const bundle = randomVgg16Bundle(7);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('loads a layers model bit for bit, keeps it in IndexedDB, and loads it back without fetching', async () => {
    const store = freshStore();
    const served = serveLayersModel(bundle, 'https://models.test/vgg16/');
    const first = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store});
    const shards = Math.ceil(bundle.data.byteLength / (4 * 1024 * 1024));
    expect(served.requests.length).to.equal(1 + shards);
    expect(first.info.origin).to.equal('network');
    expect(first.info.cached).to.equal(true);
    expect(first.info.params).to.equal(14_714_688);
    expect(first.info.id).to.match(/^sha256:[0-9a-f]{64}$/);
    expectBitIdentical(first.bundle, bundle);

    const stored = await get<{data: ArrayBuffer}>(`v1:${served.url}`, store);
    expect(new Uint8Array(stored!.data)).to.deep.equal(new Uint8Array(bundle.data));

    const second = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store});
    expect(served.requests.length, 'the second load fetched').to.equal(1 + shards);
    expect(second.info.origin).to.equal('indexeddb');
    expect(second.info.id).to.equal(first.info.id);
    expectBitIdentical(second.bundle, bundle);

    await loadVgg16Weights({kind: 'url', url: served.url, refresh: true}, {fetchFn: served.fetchFn, store});
    expect(served.requests.length).to.equal(2 * (1 + shards));
  });

  it('accepts converter prefixes and ":0" suffixes, and lists weights it does not use', async () => {
    const renamed: WeightsBundle = {
      specs: [
        ...bundle.specs.map((s) => ({...s, name: `vgg16/${s.name}:0`})),
        {name: 'fc1/kernel', shape: [2], dtype: 'float32'},
      ],
      data: concatBuffers([bundle.data, new ArrayBuffer(8)]),
    };
    const served = serveLayersModel(renamed, 'https://models.test/prefixed/');
    const result = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store: freshStore()});
    expect(result.info.ignored).to.deep.equal(['fc1/kernel']);
    expectBitIdentical(result.bundle, bundle);
  });

  it('names a missing layer and a wrong shape, and stores nothing', async () => {
    const store = freshStore();
    const broken = editBundle(bundle, (name, shape) =>
      name.startsWith('block3_conv2/') ? null : name === 'block5_conv3/kernel' ? [3, 3, 512, 256] : shape,
    );
    const served = serveLayersModel(broken, 'https://models.test/broken/');
    const problems = await expectMismatch(loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store}));
    expect(problems).to.include('block3_conv2/kernel: missing');
    expect(problems).to.include('block3_conv2/bias: missing');
    expect(problems).to.include('block5_conv3/kernel: shape [3, 3, 512, 256], expected [3, 3, 512, 512]');
    expect(problems).to.have.length(3);
    expect(await get(`v1:${served.url}`, store)).to.equal(undefined);
  });

  it('loads a narrow variant (same names, fewer filters) with the label its model.json gives, and builds it', async () => {
    const widths = [4, 8, 8, 16, 12];
    const narrow = randomVgg16Bundle(9, widths);
    const served = serveLayersModel(narrow, 'https://models.test/narrow/', undefined, 'Demo backbone, pre-trained on Fashion-MNIST, not ImageNet');
    const store = freshStore();
    const result = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store});
    expect(result.info.widths).to.deep.equal(widths);
    expect(result.info.params).to.equal(narrow.data.byteLength / 4);
    expect(result.info.label).to.equal('Demo backbone, pre-trained on Fashion-MNIST, not ImageNet');
    expectBitIdentical(result.bundle, narrow);
    const again = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store});
    expect(again.info.origin).to.equal('indexeddb');
    expect(again.info.label, 'the label is kept with the copy').to.equal(result.info.label);

    const tensors = decodeVgg16Bundle(result.bundle);
    const model = buildVgg16(64, tensors);
    tf.dispose(tensors);
    expect(model.outputs[0]!.shape).to.deep.equal([null, 2, 2, 12]);
    model.dispose();
  });

  it('names a narrow variant whose layers do not chain', async () => {
    const broken = editBundle(randomVgg16Bundle(9, [4, 8, 8, 16, 12]), (name, shape) => (name === 'block3_conv2/kernel' ? [3, 3, 4, 8] : shape));
    const served = serveLayersModel(broken, 'https://models.test/narrow-broken/');
    const problems = await expectMismatch(loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store: freshStore()}));
    expect(problems).to.deep.equal(['block3_conv2/kernel: shape [3, 3, 4, 8], expected [3, 3, 8, 8]']);
  });

  it('makes a random twin of a narrow variant, and refuses impossible widths', async () => {
    const twin = await loadVgg16Weights({kind: 'random', seed: 2, widths: [4, 8, 8, 16, 12]});
    expect(twin.info.widths).to.deep.equal([4, 8, 8, 16, 12]);
    expect(twin.info.id).to.equal('random-he-uniform:4-8-8-16-12:2');
    const vgg = await loadVgg16Weights({kind: 'random', seed: 2});
    expect(vgg.info.id).to.equal('random-he-uniform:2');
    const err = await rejection(loadVgg16Weights({kind: 'random', seed: 2, widths: [4, 8]}));
    expect(err.name).to.equal(ErrorName.InvalidRequest);
  });

  it('names a truncated shard', async () => {
    const truncated: WeightsBundle = {specs: bundle.specs, data: bundle.data.slice(0, bundle.data.byteLength - 1000)};
    const served = serveLayersModel(truncated, 'https://models.test/truncated/');
    const problems = await expectMismatch(
      loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store: freshStore()}),
    );
    expect(problems.join('\n')).to.match(/truncated shard/);
  });

  it('names an unreadable model.json and a missing file', async () => {
    const unreadable = async (fetchFn: (url: string) => Promise<Response>, url = 'https://models.test/x/model.json') => {
      const err = await rejection(loadVgg16Weights({kind: 'url', url}, {fetchFn, store: freshStore()}));
      expect(err.name).to.equal(ErrorName.WeightsUnreadable);
      return err.message;
    };
    const served = serveLayersModel(bundle, 'https://models.test/a/');
    expect(await unreadable(served.fetchFn, 'https://models.test/elsewhere/model.json')).to.match(/HTTP 404/);
    const spaFallback = async () => new Response('<!doctype html><title>app</title>', {headers: {'content-type': 'text/html'}});
    expect(await unreadable(spaFallback)).to.match(/HTML page.*probably missing/);
    expect(await unreadable(async () => new Response('this is not json'))).to.match(/not a tfjs layers model\.json/);
    const noPaths = async () => Response.json({weightsManifest: [{weights: bundle.specs}]});
    expect(await unreadable(noPaths)).to.match(/no valid "weightsManifest"/);
  });

  it('keeps the weights when IndexedDB is full, and says so', async () => {
    const real = freshStore();
    const full: UseStore = (mode, callback) =>
      mode === 'readwrite'
        ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
        : real(mode, callback);
    const served = serveLayersModel(bundle, 'https://models.test/full/');
    const result = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store: full});
    expect(result.info.cached).to.equal(false);
    expect(result.info.cacheProblem).to.match(/QuotaExceededError/);
    expectBitIdentical(result.bundle, bundle);
  });

  it('makes the same random weights for the same seed, with every VGG16 shape', async () => {
    const a = randomVgg16Bundle(3);
    const b = randomVgg16Bundle(3);
    const c = randomVgg16Bundle(4);
    expect(new Uint8Array(a.data)).to.deep.equal(new Uint8Array(b.data));
    expect(new Uint8Array(a.data)).not.to.deep.equal(new Uint8Array(c.data));
    const shapes = expectedWeightShapes();
    expect(a.specs.map((s) => [s.name, s.shape.join('x')])).to.deep.equal(
      [...shapes].map(([n, s]) => [n, s.join('x')]),
    );
  });

  it('reports the download in bytes as the shards stream in, then the copy kept; a cancel stops it mid-download', async () => {
    // 2 MiB every 40 ms (≈ 50 MB/s): the throttle (10 Hz) then sends several reports on any machine.
    const served = serveLayersModel(bundle, 'https://models.test/progress/', 8 * 1024 * 1024, undefined, {chunkBytes: 2 * 1024 * 1024, everyMs: 40});
    const seen: Progress[] = [];
    const {info} = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: served.fetchFn, store: freshStore(), onProgress: (p) => void seen.push(p)});
    const downloads = seen.filter((p) => p.kind === 'weights' && p.stage === 'download');
    expect(downloads.length, 'several reports while downloading').to.be.greaterThan(2);
    expect(downloads.every((p) => p.total === info.bytes)).to.equal(true);
    expect(downloads.at(-1)!.done).to.equal(info.bytes);
    expect(downloads.map((p) => p.done)).to.deep.equal([...downloads.map((p) => p.done)].sort((a, b) => a - b));
    expect(seen.at(-1)).to.include({kind: 'weights', stage: 'store', done: info.bytes});

    const controller = new AbortController();
    const err = await rejection(
      loadVgg16Weights(
        {kind: 'url', url: served.url, refresh: true},
        {
          fetchFn: served.fetchFn,
          store: freshStore(),
          signal: controller.signal,
          onProgress: (p) => {
            if (p.done > 0) controller.abort();
          },
        },
      ),
    );
    expect(err.name).to.equal(ErrorName.Cancelled);
  });

  it("takes the input size, preprocessing and resize a model.json's metadata names, and ignores ones it cannot use", async () => {
    const served = serveLayersModel(bundle, 'https://models.test/meta/');
    const json = JSON.parse(await (await served.fetchFn(served.url)).text());
    json.userDefinedMetadata = {label: 'Meta', inputSize: 32, preprocessing: 'caffe', resize: 'bicubic'};
    const withMeta: typeof served.fetchFn = async (input) => (input === served.url ? new Response(JSON.stringify(json)) : served.fetchFn(input));
    const {info} = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: withMeta, store: freshStore()});
    expect(info.defaults).to.deep.equal({inputSize: 32, preprocessing: 'caffe', resize: 'bicubic'});
    json.userDefinedMetadata = {inputSize: 8, preprocessing: 'imagenet', resize: 'lanczos'};
    const {info: odd} = await loadVgg16Weights({kind: 'url', url: served.url}, {fetchFn: withMeta, store: freshStore()});
    expect(odd.defaults).to.deep.equal({});
  });
});
