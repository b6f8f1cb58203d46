import {expect} from '@open-wc/testing';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {ErrorName, hasErrorName} from '../../src/shared/errors.ts';
import type {Progress} from '../../src/shared/protocol/index.ts';
import {randomVgg16Bundle} from '../../workers/model/weights-bundle.ts';
import {makeImages, publishLayersModel} from '../support/fixtures.ts';
import {VGG16_LAYER_NAMES, writeKerasH5} from '../support/keras-h5.ts';
import {rejection} from '../support/rejection.ts';

const SIZE = 32;

/** The real module worker, through the client and Comlink, end to end. */
describe('trainer worker', function () {
  let trainer: TrainerClient;

  before(async () => {
    trainer = TrainerClient.start();
    await trainer.weights.load({kind: 'random', seed: 11});
  });
  after(() => trainer.dispose());

  it('computes the same block5_pool features on WebGPU as on the cpu backend', async () => {
    const count = 4;
    const images = makeImages(count, SIZE, 5);

    const gpuRuntime = await trainer.runtime.configure({inference: 'webgpu'});
    expect(gpuRuntime.phases.inference.backend, JSON.stringify(gpuRuntime)).to.equal('webgpu');
    const onGpu = await trainer.features.extract({pixels: images.slice(), count, size: SIZE, batchSize: 2});
    expect(onGpu.backend).to.equal('webgpu');
    expect(onGpu.shape).to.deep.equal([count, 1, 1, 512]);

    await trainer.runtime.configure({inference: 'cpu'});
    const onCpu = await trainer.features.extract({pixels: images.slice(), count, size: SIZE, batchSize: 2});
    expect(onCpu.backend).to.equal('cpu');

    let min = Infinity;
    let max = -Infinity;
    let maxError = 0;
    for (let i = 0; i < onCpu.features.length; i++) {
      min = Math.min(min, onCpu.features[i]!);
      max = Math.max(max, onCpu.features[i]!);
      maxError = Math.max(maxError, Math.abs(onCpu.features[i]! - onGpu.features[i]!));
    }
    const range = max - min;
    const relative = maxError / range;
    console.log(
      `webgpu (${gpuRuntime.webgpu?.vendor} ${gpuRuntime.webgpu?.architecture}) vs cpu: ` +
        `max |diff| ${maxError.toExponential(2)}, output range ${range.toFixed(3)}, max relative error ${relative.toExponential(2)}`,
    );
    expect(range, 'features are all equal: the test would prove nothing').to.be.greaterThan(0);
    expect(onCpu.features.filter((v) => v > 0).length).to.be.greaterThan(onCpu.features.length / 10);
    expect(relative).to.be.at.most(1e-4);
  });

  it('leaves tf.memory().numTensors where it was after a feature batch', async () => {
    const runtime = await trainer.runtime.configure({});
    const images = makeImages(3, SIZE, 9);
    // The first batch builds the model and its variables; measure from the second.
    await trainer.features.extract({pixels: images.slice(), count: 3, size: SIZE});
    const before = await trainer.runtime.memory();
    const result = await trainer.features.extract({pixels: images.slice(), count: 3, size: SIZE, batchSize: 2});
    const after = await trainer.runtime.memory();
    console.log(`memory check on ${result.backend} (${runtime.phases.inference.backend}): ${before.numTensors} → ${after.numTensors} tensors`);
    expect(after.numTensors).to.equal(before.numTensors);
    expect(after.numBytes).to.equal(before.numBytes);
  });

  it('stops a cancelled job between batches and leaves no tensors behind', async () => {
    await trainer.runtime.configure({});
    // Enough batches that the abort lands long before the end, even on a fast backend.
    const count = 256;
    const images = makeImages(count, SIZE, 3);
    await trainer.features.extract({pixels: images.slice(0, SIZE * SIZE * 3), count: 1, size: SIZE});
    const before = await trainer.runtime.memory();

    const controller = new AbortController();
    const seen: Progress[] = [];
    const err = await rejection(
      trainer.features.extract(
        {pixels: images, count, size: SIZE, batchSize: 1},
        {
          signal: controller.signal,
          onEvent: (p) => {
            seen.push(p);
            if (p.done >= 2) controller.abort();
          },
        },
      ),
    );
    expect(err.name, err.message).to.equal(ErrorName.Cancelled);
    const last = seen.at(-1)!;
    expect(last.done).to.be.at.least(2);
    expect(last.done, 'it ran to the end').to.be.lessThan(count);
    expect((await trainer.runtime.memory()).numTensors).to.equal(before.numTensors);

    // The worker is still usable afterwards.
    const again = await trainer.features.extract({pixels: makeImages(1, SIZE), count: 1, size: SIZE});
    expect(again.features.length).to.equal(512);
  });

  it('reports progress with a rate and an ETA, the last one at 100%', async () => {
    const seen: Progress[] = [];
    await trainer.features.extract({pixels: makeImages(4, SIZE), count: 4, size: SIZE, batchSize: 1}, {onEvent: (p) => seen.push(p)});
    await new Promise((r) => setTimeout(r, 50)); // progress is fire-and-forget: let the last message land
    expect(seen[0]).to.include({kind: 'features', done: 0, total: 4});
    expect(seen.at(-1)).to.include({done: 4, total: 4, etaSeconds: 0});
    expect(seen.at(-1)!.rate).to.be.greaterThan(0);
  });

  it('sends named errors across the boundary, with their details', async () => {
    const wrongSize = await rejection(trainer.features.extract({pixels: new Uint8Array(10), count: 1, size: SIZE}));
    expect(wrongSize.name).to.equal(ErrorName.InvalidRequest);

    const tooSmall = await rejection(trainer.features.extract({pixels: new Uint8Array(16 * 16 * 3), count: 1, size: 16}));
    expect(tooSmall.name).to.equal(ErrorName.InvalidRequest);
    expect(tooSmall.message).to.match(/at least 32×32/);

    const bundle = randomVgg16Bundle(1);
    const broken = {specs: bundle.specs.filter((s) => !s.name.startsWith('block2_conv1/')), data: bundle.data.slice(0, bundle.data.byteLength - (3 * 3 * 64 * 128 + 128) * 4)};
    const published = publishLayersModel(broken);
    try {
      const mismatch = await rejection(trainer.weights.load({kind: 'url', url: published.url}));
      expect(hasErrorName(mismatch, ErrorName.WeightsMismatch), mismatch.message).to.equal(true);
      expect(mismatch.details.problems).to.include('block2_conv1/kernel: missing');
    } finally {
      published.revoke();
    }
    // The earlier weights are still loaded.
    expect((await trainer.weights.info())?.id).to.equal('random-he-uniform:11');
  });

  it('loads weights from a model.json URL through the worker', async () => {
    const bundle = randomVgg16Bundle(2);
    const published = publishLayersModel(bundle);
    const other = TrainerClient.start();
    try {
      const info = await other.weights.load({kind: 'url', url: published.url});
      expect(info.origin).to.equal('network');
      expect(info.bytes).to.equal(bundle.data.byteLength);
      const again = await other.weights.load({kind: 'url', url: published.url});
      expect(again.origin).to.equal('indexeddb');
      expect(again.id).to.equal(info.id);
    } finally {
      published.revoke();
      other.dispose();
    }
  });
});

describe('trainer client', () => {
  it('rejects calls with WorkerCrashedError when the worker cannot load, instead of hanging', async () => {
    const broken = new TrainerClient(new Worker(new URL('../fixtures/broken.worker.ts', import.meta.url), {type: 'module'}));
    const err = await rejection(broken.runtime.configure());
    expect(err.name).to.equal(ErrorName.WorkerCrashed);
    expect(err.message, 'what failed, and where').to.match(/this worker fails to load on purpose \(.*broken\.worker\.ts[^:]*:\d+:\d+\)/);
    const later = await rejection(broken.runtime.memory());
    expect(later.name).to.equal(ErrorName.WorkerCrashed);
  });

  it('names a helper worker’s failure that a library rethrows as an event (not "[object ErrorEvent]")', async () => {
    const trainer = new TrainerClient(new Worker(new URL('../fixtures/helper-fails.worker.ts', import.meta.url), {type: 'module'}));
    // The failure comes 50 ms after the worker has loaded: calls answer until then, and reject after.
    const err = await rejection(
      (async () => {
        for (let i = 0; i < 300; i++) {
          await trainer.runtime.storage();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
    );
    expect(err.name).to.equal(ErrorName.WorkerCrashed);
    expect(err.message).to.contain('A helper worker failed: Uncaught NetworkError: importScripts failed (blob:http://x/pthread:9:3)');
    expect(err.message).not.to.contain('[object ErrorEvent]');
  });

  it('does not start a job whose signal is already aborted', async () => {
    const trainer = TrainerClient.start();
    try {
      const err = await rejection(
        trainer.features.extract({pixels: new Uint8Array(0), count: 0, size: SIZE}, {signal: AbortSignal.abort()}),
      );
      expect(err.name).to.equal(ErrorName.Cancelled);
    } finally {
      trainer.dispose();
    }
  });

});

describe('Keras .h5 weights through the worker', () => {
  it('loads a dropped .h5, keeps it, and loads it back by id in a new worker without the file', async () => {
    const bundle = randomVgg16Bundle(14);
    const file = new File([await writeKerasH5(bundle, VGG16_LAYER_NAMES, {legacyNames: true})], 'vgg16_notop.h5');
    const first = TrainerClient.start();
    let id: string;
    try {
      const info = await first.weights.load({kind: 'file', file});
      expect(info).to.include({origin: 'file', cached: true, bytes: bundle.data.byteLength});
      expect(info.label).to.equal('Keras HDF5 file vgg16_notop.h5');
      id = info.id;
      const notH5 = await rejection(first.weights.load({kind: 'file', file: new File(['{"weightsManifest": []}'], 'model.json')}));
      expect(notH5.name).to.equal(ErrorName.WeightsUnreadable);
      expect((await first.weights.info())?.id, 'a failed load keeps the weights').to.equal(id);
    } finally {
      first.dispose();
    }
    const reloaded = TrainerClient.start();
    try {
      const again = await reloaded.weights.load({kind: 'stored', id});
      expect(again).to.include({origin: 'indexeddb', id, label: 'Keras HDF5 file vgg16_notop.h5'});
      const gone = await rejection(reloaded.weights.load({kind: 'stored', id: 'sha256:nothing-here'}));
      expect(gone.name).to.equal(ErrorName.WeightsUnreadable);
    } finally {
      reloaded.dispose();
    }
  });
});

