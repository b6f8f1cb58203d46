import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {mulberry32, shuffleInPlace} from '../../src/shared/random.ts';
import type {EpochLog, FeatureSpec, FineTuneOptions} from '../../src/shared/protocol.ts';
import {preprocess} from '../model/preprocess.ts';
import {assertGpuAlive} from '../runtime/backends.ts';
import {betweenBatches} from '../runtime/jobs.ts';
import {augmentBatch, drawAugmentParams} from './augment.ts';
import type {Checkpoint, CheckpointStore, StoredTensor} from './checkpoint-store.ts';
import {SeededDropout, labelTensor, lossFor} from './head.ts';

export interface LabelledImages {
  /** Manifest indices. */
  images: number[];
  labels: number[];
}

export interface FineTuneJob {
  /** VGG16's conv base at the input size, on the training backend; its block5 is trained in place. */
  convBase: tf.LayersModel;
  /** The trained head, on the training backend. */
  head: tf.LayersModel;
  train: LabelledImages;
  validation: LabelledImages;
  classCount: number;
  classes: string[];
  spec: FeatureSpec;
  datasetId: string;
  options: FineTuneOptions;
  /** RGB uint8 pixels of these manifest images at spec.inputSize. */
  readPixels: (images: number[], signal?: AbortSignal) => Promise<Uint8Array>;
  checkpoints: CheckpointStore;
  /** Go on from this checkpoint instead of starting at epoch 1. */
  resume?: Checkpoint;
  signal?: AbortSignal;
  onEpoch?: (log: EpochLog) => void;
}

export interface FineTuned {
  model: tf.LayersModel;
  history: EpochLog[];
}

/**
 * The tutorial's second half: VGG16 with blocks 1–4 frozen and block5
 * trainable, the trained head on top, SGD with momentum on augmented
 * images. After every epoch a checkpoint (trainable weights, optimizer
 * state, epoch, history) goes to IndexedDB; the random streams are derived
 * from (seed, epoch), so a run resumed from epoch k draws exactly what the
 * uninterrupted run drew. A non-finite loss, a lost device or running out
 * of memory stop with a named error and leave the last good checkpoint.
 */
export async function fineTune(job: FineTuneJob): Promise<FineTuned> {
  const {convBase, head, options, spec, signal} = job;
  convBase.trainable = true;
  for (const layer of convBase.layers) layer.trainable = layer.name.startsWith('block5');
  const input = tf.input({shape: [spec.inputSize, spec.inputSize, 3]});
  const model = tf.model({inputs: input, outputs: head.apply(convBase.apply(input)) as tf.SymbolicTensor, name: 'fine_tuned'});
  const optimizer = tf.train.momentum(options.learningRate, options.momentum);
  model.compile({optimizer, loss: lossFor(job.classCount), metrics: ['accuracy']});
  const dropout = head.layers.find((l): l is SeededDropout => l instanceof SeededDropout);

  const history: EpochLog[] = [...(job.resume?.manifest.history ?? [])];
  try {
    if (job.resume) await restore(model, optimizer, job.resume);
    for (let epoch = history.length + 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const random = mulberry32(options.seed * 7919 + epoch);
      dropout?.restartAt(epoch * 1_000_000);
      const train = await runEpoch(job, model, random, signal);
      const validation = await scoreValidation(job, model, signal);
      if (!Number.isFinite(train.loss) || !Number.isFinite(validation.loss)) {
        throw new NamedError(
          ErrorName.TrainingDiverged,
          `The loss became ${train.loss} in epoch ${epoch}; the checkpoint of epoch ${epoch - 1} is kept. Lower the learning rate and resume.`,
          {epoch},
        );
      }
      const log: EpochLog = {
        epoch,
        loss: train.loss,
        accuracy: train.accuracy,
        valLoss: validation.loss,
        valAccuracy: validation.accuracy,
        seconds: (performance.now() - started) / 1000,
        numTensors: tf.memory().numTensors,
      };
      history.push(log);
      await job.checkpoints.save({
        manifest: {schema: 1, epoch, spec, datasetId: job.datasetId, classes: job.classes, options, history: [...history], savedAt: 0},
        weights: await readTensors(model.trainableWeights.map((w) => ({name: w.originalName, tensor: w.read()}))),
        optimizer: await readOptimizer(optimizer),
      });
      job.onEpoch?.(log);
    }
    return {model, history};
  } catch (err) {
    model.dispose(); // the conv base and head inside it too
    throw asNamed(err);
  } finally {
    optimizer.dispose();
  }
}

async function runEpoch(job: FineTuneJob, model: tf.LayersModel, random: () => number, signal?: AbortSignal) {
  const {options, spec} = job;
  const order = shuffleInPlace(job.train.images.map((_, i) => i), random);
  let lossSum = 0;
  let accuracySum = 0;
  for (let start = 0; start < order.length; start += options.batchSize) {
    await betweenBatches(signal);
    assertGpuAlive();
    const batch = order.slice(start, start + options.batchSize);
    const pixels = await job.readPixels(batch.map((i) => job.train.images[i]!), signal);
    const params = batch.map(() => drawAugmentParams(options.augment, spec.inputSize, spec.inputSize, random));
    const [x, y] = tf.tidy(() => {
      const images = tf.tensor4d(pixels, [batch.length, spec.inputSize, spec.inputSize, 3], 'int32');
      return [preprocess(augmentBatch(images.toFloat() as tf.Tensor4D, params), spec.preprocessing), labelTensor(batch.map((i) => job.train.labels[i]!), job.classCount)];
    });
    try {
      const [loss, accuracy] = (await model.trainOnBatch(x!, y!)) as number[];
      lossSum += loss! * batch.length;
      accuracySum += accuracy! * batch.length;
    } finally {
      tf.dispose([x!, y!]);
    }
  }
  return {loss: lossSum / order.length, accuracy: accuracySum / order.length};
}

/** Validation without augmentation: loss and accuracy over the whole split. */
async function scoreValidation(job: FineTuneJob, model: tf.LayersModel, signal?: AbortSignal) {
  const {spec} = job;
  let lossSum = 0;
  let correct = 0;
  const n = job.validation.images.length;
  for (let start = 0; start < n; start += job.options.batchSize) {
    await betweenBatches(signal);
    const images = job.validation.images.slice(start, start + job.options.batchSize);
    const labels = job.validation.labels.slice(start, start + job.options.batchSize);
    const pixels = await job.readPixels(images, signal);
    const [loss, right] = tf.tidy(() => {
      const x = preprocess(tf.tensor4d(pixels, [images.length, spec.inputSize, spec.inputSize, 3], 'int32'), spec.preprocessing);
      const y = labelTensor(labels, job.classCount);
      const scores = model.predict(x) as tf.Tensor2D;
      const losses = job.classCount === 2 ? tf.metrics.binaryCrossentropy(y, scores) : tf.metrics.categoricalCrossentropy(y, scores);
      const predicted = job.classCount === 2 ? scores.greaterEqual(0.5).toInt().reshape([-1]) : scores.argMax(1);
      return [losses.sum().dataSync()[0]!, predicted.equal(tf.tensor1d(labels, 'int32')).sum().dataSync()[0]!];
    });
    lossSum += loss;
    correct += right;
  }
  return {loss: n ? lossSum / n : 0, accuracy: n ? correct / n : 0};
}

async function readTensors(named: Array<{name: string; tensor: tf.Tensor}>): Promise<StoredTensor[]> {
  return Promise.all(
    named.map(async ({name, tensor}) => ({name, shape: tensor.shape, data: ((await tensor.data()) as Float32Array).slice().buffer})),
  );
}

/** The optimizer's state as bytes. getWeights() makes a fresh scalar for the iteration count: dispose it; the rest are its live variables. */
async function readOptimizer(optimizer: tf.Optimizer): Promise<StoredTensor[]> {
  const state = await optimizer.getWeights();
  try {
    return await readTensors(state);
  } finally {
    tf.dispose(state.filter((s) => s.name === 'iter').map((s) => s.tensor));
  }
}

/** Puts a checkpoint's trainable weights and optimizer state back into a freshly built model. */
async function restore(model: tf.LayersModel, optimizer: tf.Optimizer, checkpoint: Checkpoint): Promise<void> {
  const variables = model.trainableWeights;
  const stored = checkpoint.weights;
  const fits = stored.length === variables.length && variables.every((v, i) => v.shape.join() === stored[i]!.shape.join());
  if (!fits) {
    throw new NamedError(ErrorName.InvalidRequest, 'The checkpoint does not fit this model (another input size or class count): start a new run.');
  }
  tf.tidy(() => variables.forEach((v, i) => v.write(tf.tensor(new Float32Array(stored[i]!.data), stored[i]!.shape))));
  const state = checkpoint.optimizer.map((w) => ({name: w.name, tensor: tf.tensor(new Float32Array(w.data), w.shape)}));
  try {
    await optimizer.setWeights(state);
  } finally {
    tf.dispose(state.map((s) => s.tensor)); // the optimizer keeps variables of its own
  }
}

const OUT_OF_MEMORY = /out of memory|\bOOM\b|failed to allocate|allocation failed|exceeds the (maximum|size) (size|limit)/i;

function asNamed(err: unknown): unknown {
  if (err instanceof NamedError || hasErrorName(err, ErrorName.Cancelled)) return err;
  const message = (err as Error)?.message ?? String(err);
  if (OUT_OF_MEMORY.test(message)) {
    return new NamedError(ErrorName.OutOfMemory, `The backend ran out of memory (${message}). The last checkpoint is kept: resume with a smaller batch.`);
  }
  return err;
}
