import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {mulberry32, shuffleInPlace} from '../../src/shared/random.ts';
import type {EpochLog, FeatureSpec, FineTuneOptions} from '../../src/shared/protocol/index.ts';
import {preprocess} from '../model/preprocess.ts';
import {assertGpuAlive, markGpuLost} from '../runtime/backends.ts';
import {betweenBatches} from '../runtime/jobs.ts';
import {augmentBatch, drawAugmentParams} from './augment.ts';
import type {Checkpoint, CheckpointWriter, StoredTensor} from './checkpoint-store.ts';
import {evaluateOnImages} from './evaluate.ts';
import {allFinite, fromStored, toStored} from './stored-tensors.ts';
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
  /** The run's checkpoint slot. */
  checkpoints: CheckpointWriter;
  /** Go on from this checkpoint instead of starting at epoch 1. */
  resume?: Checkpoint;
  signal?: AbortSignal;
  /** Where the run is, after every training batch and at each change of stage (batch 0: the stage began). */
  onBatch?: (point: FineTunePoint) => void;
  onEpoch?: (log: EpochLog) => void;
}

export interface FineTunePoint {
  stage: 'train' | 'validate' | 'checkpoint';
  epoch: number;
  batch: number;
  batches: number;
  /** Running means over the epoch's training batches so far; null before the first ends. */
  loss: number | null;
  accuracy: number | null;
  /** Training images gone through in this call, over all its epochs. */
  imagesDone: number;
}

export interface FineTuned {
  model: tf.LayersModel;
  history: EpochLog[];
}

/**
 * The tutorial's second half: VGG16 with blocks 1–4 frozen and block5
 * trainable, the trained head on top, SGD with momentum on augmented
 * images. Blocks 1–4 run in inference mode and only block5 and the head
 * are recorded for gradients (`splitAtBlock5`). After every epoch a
 * checkpoint (trainable weights, optimizer state, epoch, history) goes to
 * IndexedDB; the random streams are derived
 * from (seed, epoch), so a run resumed from epoch k draws exactly what the
 * uninterrupted run drew. A non-finite loss, a lost device or running out
 * of memory stop with a named error and leave the last good checkpoint.
 */
export async function fineTune(job: FineTuneJob): Promise<FineTuned> {
  const {options, spec, signal} = job;
  checkOptions(options);
  let model: tf.LayersModel | null = null;
  let parts: FineTuneParts | null = null;
  const optimizer = tf.train.momentum(options.learningRate, options.momentum);
  try {
    model = buildFineTuneModel(job.convBase, job.head, spec.inputSize);
    parts = splitAtBlock5(job.convBase, job.head, spec.inputSize);
    parts.trainable.compile({optimizer, loss: lossFor(job.classCount), metrics: ['accuracy']});
    const dropout = job.head.layers.find((l): l is SeededDropout => l instanceof SeededDropout);
    const history: EpochLog[] = [...(job.resume?.manifest.history ?? [])];
    if (job.resume) await restore(model, optimizer, job.resume);
    const firstEpoch = history.length + 1;
    const batches = Math.ceil(job.train.images.length / options.batchSize);
    for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const random = mulberry32(options.seed * 7919 + epoch);
      dropout?.restartAt(epoch * 1_000_000);
      const imagesBefore = (epoch - firstEpoch) * job.train.images.length;
      const at = (stage: FineTunePoint['stage'], batch: number, loss: number | null, accuracy: number | null, imagesDone: number) =>
        job.onBatch?.({stage, epoch, batch, batches, loss, accuracy, imagesDone});
      const train = await runEpoch(job, parts, random, signal, (batch, loss, accuracy, images) => at('train', batch, loss, accuracy, imagesBefore + images));
      const trained = imagesBefore + job.train.images.length;
      at('validate', 0, train.loss, train.accuracy, trained);
      const validation = await evaluateOnImages(model, job.validation, job.classCount, (images) => loadBatch(job, images, signal), {
        batchSize: options.batchSize,
        signal,
      });
      const weights = await toStored(model.trainableWeights.map((w) => ({name: w.originalName, tensor: w.read()})));
      for (const [what, value] of [['training loss', train.loss], ['validation loss', validation.loss]] as const) {
        if (!Number.isFinite(value)) throw diverged(epoch, `the ${what} became ${value}`);
      }
      if (!allFinite(weights)) throw diverged(epoch, 'the weights stopped being numbers');
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
      at('checkpoint', 0, train.loss, train.accuracy, trained);
      await job.checkpoints.save({
        manifest: {epoch, spec, datasetId: job.datasetId, classes: job.classes, options, history: [...history]},
        weights,
        optimizer: await readOptimizer(optimizer),
      });
      job.onEpoch?.(log);
    }
    return {model, history};
  } catch (err) {
    // The conv base and the head are inside the model; if it was never built, dispose them alone.
    if (model) model.dispose();
    else {
      job.convBase.dispose();
      job.head.dispose();
    }
    throw asNamed(err);
  } finally {
    parts?.dispose();
    optimizer.dispose();
  }
}

/**
 * VGG16 with blocks 1–4 frozen and block5 trainable, the head on top: one
 * model over the two, sharing their variables.
 */
export function buildFineTuneModel(convBase: tf.LayersModel, head: tf.LayersModel, inputSize: number): tf.LayersModel {
  unfreezeBlock5(convBase);
  const input = tf.input({shape: [inputSize, inputSize, 3]});
  return tf.model({inputs: input, outputs: head.apply(convBase.apply(input)) as tf.SymbolicTensor, name: 'fine_tuned'});
}

export interface FineTuneParts {
  /** Blocks 1–4, run in inference mode: no gradient tape, tfjs's fused conv+bias+relu kernels. */
  frozen: tf.LayersModel;
  /** block5 and the head, from block4_pool's output: what a training step records and updates. */
  trainable: tf.LayersModel;
  /** Frees the two views, not the weights: the layers are owned by the conv base and the head (or the model built over them). */
  dispose(): void;
}

/** Blocks 1–4 frozen, block5 trainable. */
function unfreezeBlock5(convBase: tf.LayersModel): void {
  convBase.trainable = true;
  for (const layer of convBase.layers) layer.trainable = layer.name.startsWith('block5');
}

/**
 * The same network cut at block4_pool into two models that share its
 * layers. The trainable part's weights are the whole network's trainable
 * weights in the same order (block5's convs, then the head's), so
 * checkpoints and optimizer state fit either.
 */
export function splitAtBlock5(convBase: tf.LayersModel, head: tf.LayersModel, inputSize: number): FineTuneParts {
  unfreezeBlock5(convBase);
  const layersOf = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const base = layersOf(convBase);
  const cut = base.findIndex((l) => l.name === 'block4_pool') + 1;
  if (cut === 0) throw new NamedError(ErrorName.InvalidRequest, 'The conv base has no block4_pool layer to fine-tune above.');
  // Each layer applied on its own (no model nested in a model), so disposing these
  // views only takes back their references: the layers' weights stay with their owners.
  const chain = (input: tf.SymbolicTensor, layers: tf.layers.Layer[]) => layers.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, input);
  const input = tf.input({shape: [inputSize, inputSize, 3]});
  const pooled = chain(input, base.slice(0, cut));
  const frozen = tf.model({inputs: input, outputs: pooled, name: 'frozen_blocks'});
  const features = tf.input({shape: pooled.shape.slice(1) as number[]});
  const trainable = tf.model({inputs: features, outputs: chain(features, [...base.slice(cut), ...layersOf(head)]), name: 'trained_top'});
  return {
    frozen,
    trainable,
    dispose: () => {
      frozen.dispose();
      trainable.dispose();
    },
  };
}

/** Puts a checkpoint's block5 and head weights into a freshly built fine-tuning model. */
export function loadTrainableWeights(model: tf.LayersModel, checkpoint: Pick<Checkpoint, 'weights'>): void {
  const variables = model.trainableWeights;
  const stored = checkpoint.weights;
  const fits = stored.length === variables.length && variables.every((v, i) => v.shape.join() === stored[i]!.shape.join());
  if (!fits) {
    throw new NamedError(ErrorName.InvalidRequest, 'The checkpoint does not fit this model (another input size or class count): start a new run.');
  }
  tf.tidy(() => variables.forEach((v, i) => v.write(fromStored(stored[i]!))));
}

function diverged(epoch: number, what: string): NamedError {
  return new NamedError(
    ErrorName.TrainingDiverged,
    `In epoch ${epoch} ${what}; the checkpoint of epoch ${epoch - 1} is kept. Lower the learning rate and resume.`,
    {epoch},
  );
}

function loadBatch(job: FineTuneJob, images: number[], signal?: AbortSignal): Promise<tf.Tensor4D> {
  const size = job.spec.inputSize;
  return job.readPixels(images, signal).then((pixels) =>
    tf.tidy(() => preprocess(tf.tensor4d(pixels, [images.length, size, size, 3], 'int32'), job.spec.preprocessing)),
  );
}

function checkOptions(o: FineTuneOptions): void {
  const problems: string[] = [];
  if (!(o.learningRate > 0)) problems.push('the learning rate must be above 0');
  if (!(o.momentum >= 0 && o.momentum < 1)) problems.push('momentum must be from 0 up to (not including) 1');
  if (!Number.isInteger(o.epochs) || o.epochs < 1) problems.push('epochs must be a whole number from 1');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) problems.push('the batch size must be a whole number from 1');
  if (problems.length > 0) throw new NamedError(ErrorName.InvalidRequest, `Cannot fine-tune: ${problems.join('; ')}.`, {problems});
}

/** One epoch over the training images; `onBatch(batch, meanLoss, meanAccuracy, images)` after each batch (and with batch 0 before the first). */
async function runEpoch(
  job: FineTuneJob,
  {frozen, trainable}: FineTuneParts,
  random: () => number,
  signal: AbortSignal | undefined,
  onBatch: (batch: number, loss: number | null, accuracy: number | null, images: number) => void,
) {
  const {options, spec} = job;
  const order = shuffleInPlace(job.train.images.map((_, i) => i), random);
  let lossSum = 0;
  let accuracySum = 0;
  let seen = 0;
  onBatch(0, null, null, 0);
  for (let start = 0; start < order.length; start += options.batchSize) {
    await betweenBatches(signal);
    assertGpuAlive();
    const batch = order.slice(start, start + options.batchSize);
    const pixels = await job.readPixels(batch.map((i) => job.train.images[i]!), signal);
    const params = batch.map(() => drawAugmentParams(options.augment, spec.inputSize, spec.inputSize, random));
    // Blocks 1–4 outside any gradient recording; only block5 and the head are on the tape.
    const [x, y] = tf.tidy(() => {
      const images = tf.tensor4d(pixels, [batch.length, spec.inputSize, spec.inputSize, 3], 'int32');
      const input = preprocess(augmentBatch(images.toFloat() as tf.Tensor4D, params), spec.preprocessing);
      return [frozen.predict(input, {batchSize: batch.length}) as tf.Tensor4D, labelTensor(batch.map((i) => job.train.labels[i]!), job.classCount)];
    });
    try {
      const [loss, accuracy] = (await trainable.trainOnBatch(x!, y!)) as number[];
      lossSum += loss! * batch.length;
      accuracySum += accuracy! * batch.length;
      seen += batch.length;
    } finally {
      tf.dispose([x!, y!]);
    }
    onBatch(start / options.batchSize + 1, lossSum / seen, accuracySum / seen, seen);
  }
  return {loss: lossSum / order.length, accuracy: accuracySum / order.length};
}

/** The optimizer's state as bytes. getWeights() makes a fresh scalar for the iteration count: dispose it; the rest are its live variables. */
async function readOptimizer(optimizer: tf.Optimizer): Promise<StoredTensor[]> {
  const state = await optimizer.getWeights();
  try {
    return await toStored(state);
  } finally {
    tf.dispose(state.filter((s) => s.name === 'iter').map((s) => s.tensor));
  }
}

/** Puts a checkpoint's trainable weights and optimizer state back into a freshly built model. */
async function restore(model: tf.LayersModel, optimizer: tf.Optimizer, checkpoint: Checkpoint): Promise<void> {
  loadTrainableWeights(model, checkpoint);
  const state = checkpoint.optimizer.map((w) => ({name: w.name, tensor: fromStored(w)}));
  try {
    await optimizer.setWeights(state);
  } finally {
    tf.dispose(state.map((s) => s.tensor)); // the optimizer keeps variables of its own
  }
}

/** How running out of memory surfaces: WebGL's texture limits, allocation failures, WebGPU's out-of-memory errors. */
const OUT_OF_MEMORY = /out of memory|\bOOM\b|failed to allocate|allocation failed|exceeds the (maximum|size) (size|limit)|greater than WebGL maximum|texture size/i;
/** How WebGPU failures surface when the device goes away mid-step (seen with SwiftShader: "Failed to execute 'mapAsync' on 'GPUBuffer': A valid external Instance reference no longer exists"). */
const DEVICE_GONE = /mapAsync|GPUBuffer|GPUDevice|device (is |was )?lost|Instance reference no longer exists/i;

function asNamed(err: unknown): unknown {
  if (err instanceof NamedError || hasErrorName(err, ErrorName.Cancelled)) return err;
  const message = (err as Error)?.message ?? String(err);
  if (DEVICE_GONE.test(message)) {
    if (tf.getBackend() === 'webgpu') markGpuLost(message); // the next backend choice skips it
    return new NamedError(
      ErrorName.GpuDeviceLost,
      `The GPU device stopped answering (${message}). The last checkpoint is kept: reload the page, or pick another training backend, and resume.`,
    );
  }
  if (OUT_OF_MEMORY.test(message)) {
    return new NamedError(ErrorName.OutOfMemory, `The backend ran out of memory (${message}). The last checkpoint is kept: resume with a smaller batch.`);
  }
  return err;
}
