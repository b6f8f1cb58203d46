import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {ErrorName} from '../../../src/shared/errors.ts';
import {mulberry32} from '../../../src/shared/random.ts';
import type {HeadOptions} from '../../../src/shared/protocol/index.ts';
import '../../../workers/runtime/backends.ts'; // serves the wasm binaries
import {DEFAULT_HEAD_OPTIONS} from '../../../src/shared/defaults.ts';
import {trainHead, type FeatureSet} from '../../../workers/training/train-head.ts';
import {rejection} from '../../support/rejection.ts';

const SHAPE = [2, 2, 16];
const SIZE = 64;

/** Gaussian clusters, one per class, in a 64-dimensional feature space: learnable, not trivially. */
function clusters(classCount: number, perClass: number, seed: number, noise = 1.2): FeatureSet {
  const centres = Array.from({length: classCount}, (_, c) => {
    const r = mulberry32(1000 + c);
    return Array.from({length: SIZE}, () => (r() < 0.5 ? -1 : 1) * 0.6);
  });
  const random = mulberry32(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const features = new Float32Array(classCount * perClass * SIZE);
  const labels: number[] = [];
  for (let i = 0; i < classCount * perClass; i++) {
    const label = i % classCount;
    labels.push(label);
    for (let d = 0; d < SIZE; d++) features[i * SIZE + d] = Math.max(0, centres[label]![d]! + noise * gaussian());
  }
  return {features, labels};
}

const options = (overrides: Partial<HeadOptions> = {}): HeadOptions => ({...DEFAULT_HEAD_OPTIONS, epochs: 15, ...overrides});

/** The model's binary cross-entropy on a feature set, computed here (not read from its history). */
function validationLoss(model: tf.LayersModel, set: FeatureSet): number {
  return tf.tidy(() => {
    const x = tf.tensor(set.features, [set.labels.length, ...SHAPE]);
    const y = tf.tensor2d(set.labels.map((l) => [l]));
    return (model.evaluate(x, y) as tf.Scalar[])[0]!.dataSync()[0]!;
  });
}

/** A head trained on labels that carry no signal (so validation loss soon rises), with its validation set. */
async function trainOnNoise(labelSeed: number, dataSeed: number, overrides: Partial<HeadOptions>) {
  const train = clusters(2, 40, dataSeed);
  train.labels = train.labels.map((_, i) => (mulberry32(i + labelSeed)() < 0.5 ? 0 : 1));
  const validation = clusters(2, 20, dataSeed + 1);
  const trained = await trainHead({train, validation, featureShape: SHAPE, classCount: 2, options: options({learningRate: 3e-3, ...overrides})});
  return {trained, validation};
}

describe('head training on cached features', function () {
  before(async () => {
    await tf.setBackend('wasm');
  });

  it('reaches at least 95% validation accuracy on a learnable two-class set, with flat tensor counts', async () => {
    const before = tf.memory().numTensors;
    const trained = await trainHead({
      train: clusters(2, 100, 1),
      validation: clusters(2, 40, 2),
      featureShape: SHAPE,
      classCount: 2,
      options: options(),
    });
    const last = trained.history.at(-1)!;
    console.log(`two classes: val accuracy ${last.valAccuracy.toFixed(3)}, val loss ${last.valLoss.toFixed(3)} after ${trained.history.length} epochs`);
    expect(last.valAccuracy).to.be.at.least(0.95);
    expect(trained.model.outputs[0]!.shape).to.deep.equal([null, 1]);
    const counts = trained.history.map((h) => h.numTensors);
    expect(new Set(counts).size, `tensor counts per epoch: ${counts.join(', ')}`).to.equal(1);
    trained.model.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('keeps tensor counts flat with early stopping on, and ends at the best epoch even when patience never runs out', async () => {
    const before = tf.memory().numTensors;
    const {trained, validation} = await trainOnNoise(100, 13, {epochs: 12, earlyStoppingPatience: 100});
    const counts = trained.history.map((h) => h.numTensors);
    expect(new Set(counts).size, `tensor counts per epoch: ${counts.join(', ')}`).to.equal(1);
    expect(trained.stoppedEarly).to.equal(false);
    expect(trained.bestEpoch, 'the set-up must make the last epoch worse than the best').to.be.lessThan(12);
    expect(validationLoss(trained.model, validation)).to.be.closeTo(trained.history[trained.bestEpoch - 1]!.valLoss, 1e-4);
    trained.model.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('trains three classes with a softmax output', async () => {
    const trained = await trainHead({
      train: clusters(3, 60, 3),
      validation: clusters(3, 30, 4),
      featureShape: SHAPE,
      classCount: 3,
      options: options(),
    });
    console.log(`three classes: val accuracy ${trained.history.at(-1)!.valAccuracy.toFixed(3)}`);
    expect(trained.history.at(-1)!.valAccuracy).to.be.at.least(0.9);
    expect(trained.model.outputs[0]!.shape).to.deep.equal([null, 3]);
    trained.model.dispose();
  });

  it('gives the same run for the same seed, and another for another seed', async () => {
    const go = async (seed: number) => {
      const t = await trainHead({train: clusters(2, 30, 5), validation: clusters(2, 10, 6), featureShape: SHAPE, classCount: 2, options: options({epochs: 3, seed})});
      t.model.dispose();
      return t.history.map((h) => [h.loss, h.valLoss]);
    };
    const a = await go(1);
    expect(await go(1)).to.deep.equal(a);
    expect(await go(2)).not.to.deep.equal(a);
  });

  it('stops early and puts back the weights of the best epoch', async () => {
    // Labels that carry no signal: validation loss soon rises, and patience runs out.
    const {trained, validation} = await trainOnNoise(0, 7, {epochs: 40, earlyStoppingPatience: 2});
    expect(trained.stoppedEarly).to.equal(true);
    expect(trained.history.length).to.equal(trained.bestEpoch + 2);
    expect(validationLoss(trained.model, validation)).to.be.closeTo(trained.history[trained.bestEpoch - 1]!.valLoss, 1e-4);
    trained.model.dispose();
  });

  it('stops when cancelled, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const err = await rejection(
      trainHead({
        train: clusters(2, 100, 9),
        validation: clusters(2, 20, 10),
        featureShape: SHAPE,
        classCount: 2,
        options: options({epochs: 50}),
        signal: controller.signal,
        onEpoch: (log) => {
          if (log.epoch === 2) controller.abort();
        },
      }),
    );
    expect(err.name).to.equal(ErrorName.Cancelled);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('names a loss that stops being a number, and leaves no tensors behind', async () => {
    // Cross-entropy clips its inputs, so a huge learning rate only saturates the head; a feature
    // that is not a number (as a broken backend could produce) does reach the loss. On the cpu
    // backend, that is: wasm's ReLU turns NaN into 0.
    await tf.setBackend('cpu');
    try {
      const before = tf.memory().numTensors;
      const train = clusters(2, 40, 11);
      train.features[5] = Number.NaN;
      const err = await rejection(
        trainHead({train, validation: clusters(2, 10, 12), featureShape: SHAPE, classCount: 2, options: options({epochs: 5})}),
      );
      expect(err.name).to.equal(ErrorName.TrainingDiverged);
      expect(tf.memory().numTensors).to.equal(before);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('refuses impossible settings by name', async () => {
    const err = await rejection(
      trainHead({train: clusters(2, 4, 1), validation: clusters(2, 2, 2), featureShape: SHAPE, classCount: 2, options: options({batchSize: 0})}),
    );
    expect(err.name).to.equal(ErrorName.InvalidRequest);
  });
});
