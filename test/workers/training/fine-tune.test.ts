import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {createStore} from 'idb-keyval';
import {DEFAULT_FINE_TUNE} from '../../../src/shared/defaults.ts';
import {ErrorName} from '../../../src/shared/errors.ts';
import type {EpochLog, FeatureSpec, FineTuneOptions} from '../../../src/shared/protocol/index.ts';
import {DatasetSession} from '../../../workers/dataset/dataset-session.ts';
import {buildVgg16} from '../../../workers/model/vgg16.ts';
import {featureShapeFor} from '../../../workers/model/vgg16-layout.ts';
import {decodeVgg16Bundle, randomVgg16Bundle} from '../../../workers/model/weights-bundle.ts';
import '../../../workers/runtime/backends.ts';
import {CheckpointStore} from '../../../workers/training/checkpoint-store.ts';
import {buildFineTuneModel, fineTune, splitAtBlock5, type FineTuneJob} from '../../../workers/training/fine-tune.ts';
import {buildHead} from '../../../workers/training/head.ts';
import {classFolders, makeZip} from '../../support/dataset-zips.ts';
import {rejection} from '../../support/rejection.ts';

const SIZE = 32;
const spec: FeatureSpec = {weightsId: 'random-he-uniform:8', layer: 'block5_pool', channels: 512, inputSize: SIZE, preprocessing: 'rescale', resize: 'bilinear'};

/** VGG16 (random, seeded) and a seeded head: the same starting point every time. */
function models() {
  const weights = decodeVgg16Bundle(randomVgg16Bundle(8));
  const convBase = buildVgg16(SIZE, weights);
  tf.dispose(weights);
  return {convBase, head: buildHead(featureShapeFor(SIZE, spec.channels), 2, 3)};
}

const snapshot = (model: tf.LayersModel) =>
  new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync() as Float32Array)]));

describe('fine-tuning block5 with the head', function () {
  let session: DatasetSession;
  let base: Omit<FineTuneJob, 'convBase' | 'head' | 'checkpoints' | 'options'>;
  const options = (overrides: Partial<FineTuneOptions> = {}): FineTuneOptions => ({...DEFAULT_FINE_TUNE, epochs: 2, batchSize: 4, learningRate: 1e-3, ...overrides});

  before(async () => {
    await tf.setBackend('cpu');
    session = new DatasetSession(createStore(`tl-test-ft-${crypto.randomUUID()}`, 'datasets'));
    const manifest = await session.importZip(await makeZip(classFolders('', ['a', 'b'], 6, 3)), 'ft.zip', {
      seed: 1,
      fractions: {train: 2, validation: 1, test: 0},
    });
    const split = (name: string) => {
      const images = manifest.images.flatMap((image, i) => (image.split === name ? [i] : []));
      return {images, labels: images.map((i) => manifest.images[i]!.label)};
    };
    base = {
      train: split('train'),
      validation: split('validation'),
      classCount: 2,
      classes: manifest.classes,
      spec,
      datasetId: manifest.id,
      readPixels: (images, signal) => session.readPixels(images, SIZE, 'bilinear', signal),
    };
  });

  const store = () => new CheckpointStore(`tl-test-checkpoints-${crypto.randomUUID()}`);

  it('changes only block5 and the head: blocks 1–4 stay bit-identical, and tensor counts stay flat', async () => {
    const {convBase, head} = models();
    const before = snapshot(convBase);
    const headBefore = snapshot(head);
    const logs: EpochLog[] = [];
    const result = await fineTune({...base, convBase, head, checkpoints: store().run('run'), options: options(), onEpoch: (l) => logs.push(l)});
    const after = snapshot(convBase);
    for (const [name, values] of before) {
      const same = values.every((v, i) => Object.is(v, after.get(name)![i]));
      expect(same, `${name} ${name.startsWith('block5') ? 'should change' : 'should stay'}`).to.equal(!name.startsWith('block5'));
    }
    const headAfter = snapshot(head);
    for (const [name, values] of headBefore) expect(values, name).not.to.deep.equal(headAfter.get(name));
    expect(logs.map((l) => l.epoch)).to.deep.equal([1, 2]);
    expect(logs[0]!.numTensors).to.equal(logs[1]!.numTensors);
    result.model.dispose();
  });

  it('resumed after epoch 1 ends where an uninterrupted run ends', async () => {
    const uninterrupted = models();
    const whole = await fineTune({...base, ...uninterrupted, checkpoints: store().run('run'), options: options()});
    const expected = snapshot(whole.model);
    whole.model.dispose();

    const checkpoints = store();
    const baseline = tf.memory().numTensors;
    const first = models();
    const controller = new AbortController();
    const err = await rejection(
      fineTune({...base, ...first, checkpoints: checkpoints.run('run'), options: options(), signal: controller.signal, onEpoch: () => controller.abort()}),
    );
    expect(err.name).to.equal(ErrorName.Cancelled);
    // tfjs leaves one tensor behind per compile() of a model over nested models (seen with 4.22,
    // not ours to dispose); anything beyond that would be a leak of ours.
    expect(tf.memory().numTensors - baseline, 'a cancelled run leaves no tensors of its own').to.be.at.most(1);
    const checkpoint = (await checkpoints.load())!;
    expect(checkpoint.manifest.epoch).to.equal(1);

    const second = models(); // a reload: everything rebuilt from scratch, then the checkpoint
    const resumed = await fineTune({...base, ...second, checkpoints: checkpoints.run('run'), options: options(), resume: checkpoint});
    expect(resumed.history.map((l) => l.epoch)).to.deep.equal([1, 2]);
    const actual = snapshot(resumed.model);
    let worst = 0;
    for (const [name, values] of expected) {
      values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - actual.get(name)![i]!) / (Math.abs(v) + 1e-3))));
    }
    console.log(`resumed vs uninterrupted: largest relative weight difference ${worst.toExponential(2)}`);
    // Same backend, same random streams, exact weights and optimizer state: nothing may differ at all.
    expect(worst).to.equal(0);
    resumed.model.dispose();
  });

  it('trains a model with exactly the whole network’s trainable weights, in their order (old checkpoints load)', () => {
    const {convBase, head} = models();
    const parts = splitAtBlock5(convBase, head, SIZE);
    const whole = buildFineTuneModel(convBase, head, SIZE);
    const describe = (m: tf.LayersModel) => m.trainableWeights.map((w) => `${w.originalName} ${w.shape.join('×')}`);
    expect(describe(parts.trainable)).to.deep.equal(describe(whole));
    expect(describe(parts.trainable)[0]).to.match(/^block5_conv1\/kernel 3×3×512×512$/);
    expect(parts.frozen.outputs[0]!.shape).to.deep.equal([null, 2, 2, 512]);
    const baseline = tf.memory().numTensors;
    parts.dispose(); // the views go; the layers stay with the whole model
    expect(tf.memory().numTensors).to.equal(baseline);
    tf.tidy(() => void whole.predict(tf.zeros([1, SIZE, SIZE, 3]))); // still usable
    const weights = whole.weights.length;
    whole.dispose();
    expect(tf.memory().numTensors, 'the whole model frees every weight').to.equal(baseline - weights);
  });

  it('fine-tunes on wasm as on cpu: the same weight updates, to float rounding', async () => {
    const noAugment = {rotationRange: 0, widthShiftRange: 0, heightShiftRange: 0, shearRange: 0, zoomRange: 0, horizontalFlip: false};
    const updates = async (backend: string) => {
      await tf.setBackend(backend);
      const {convBase, head} = models();
      const start = new Map([...snapshot(convBase), ...snapshot(head)]);
      const result = await fineTune({...base, convBase, head, checkpoints: store().run('run'), options: options({epochs: 1, batchSize: 2, augment: noAugment})});
      const delta = new Map([...snapshot(convBase), ...snapshot(head)].map(([name, v]) => [name, v.map((x, i) => x - start.get(name)![i]!)]));
      result.model.dispose();
      return delta;
    };
    try {
      const expected = await updates('cpu');
      const actual = await updates('wasm');
      for (const [name, want] of expected) {
        if (!name.startsWith('block5') && !name.startsWith('head')) continue;
        const got = actual.get(name)!;
        let norm = 0;
        let diff = 0;
        want.forEach((w, i) => {
          norm += w * w;
          diff += (w - got[i]!) ** 2;
        });
        const error = Math.sqrt(diff / norm);
        console.log(`wasm vs cpu, update of ${name}: relative difference ${error.toExponential(1)}`);
        expect(norm, name).to.be.above(0);
        expect(error, name).to.be.below(1e-3);
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('stops on a loss that is not a number, keeping the last good checkpoint', async () => {
    const checkpoints = store();
    const good = await fineTune({...base, ...models(), checkpoints: checkpoints.run('run'), options: options({epochs: 1})});
    good.model.dispose();
    const checkpoint = (await checkpoints.load())!;
    const baseline = tf.memory().numTensors;
    const err = await rejection(
      fineTune({...base, ...models(), checkpoints: checkpoints.run('run'), options: options({epochs: 3, learningRate: 1e12}), resume: checkpoint}),
    );
    expect(err.name).to.equal(ErrorName.TrainingDiverged);
    expect(tf.memory().numTensors - baseline, 'a diverged run leaves no tensors of its own (see above)').to.be.at.most(1);
    const kept = (await checkpoints.load())!;
    expect(kept.manifest.epoch).to.equal(1);
    for (const w of kept.weights) expect(new Float32Array(w.data).every(Number.isFinite), w.name).to.equal(true);
  });
});
