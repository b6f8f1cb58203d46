import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {mulberry32, shuffleInPlace} from '../../src/shared/random.ts';
import type {EpochLog, HeadOptions} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled, yieldToEventLoop} from '../runtime/jobs.ts';
import {buildHead, labelTensor, lossFor, makeOptimizer} from './head.ts';

export interface FeatureSet {
  /** n feature maps, flattened one after another. */
  features: Float32Array;
  labels: number[];
}

export interface TrainHeadJob {
  train: FeatureSet;
  validation: FeatureSet;
  featureShape: readonly number[];
  classCount: number;
  options: HeadOptions;
  signal?: AbortSignal;
  onEpoch?: (log: EpochLog) => void;
}

export interface TrainedHead {
  model: tf.Sequential;
  history: EpochLog[];
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * Trains the head on cached features: seeded shuffling each epoch,
 * validation after each epoch, optional early stopping that puts back the
 * best epoch's weights. Cancellation is checked after every batch. No
 * tensor outlives an epoch except the model's and the optimizer's own, and
 * none but the returned model's weights outlives the run (the optimizer
 * is disposed: fine-tuning brings its own).
 */
export async function trainHead(job: TrainHeadJob): Promise<TrainedHead> {
  const {options, classCount, signal} = job;
  checkOptions(options, job.train.labels.length, job.validation.labels.length);
  const restoreBest = options.earlyStoppingPatience !== null;
  const model = buildHead(job.featureShape, classCount, options.seed);
  const owned: tf.Tensor[] = [];
  let best: {epoch: number; loss: number; weights: tf.Tensor[]} | null = null;
  try {
    model.compile({optimizer: makeOptimizer(options.optimizer, options.learningRate), loss: lossFor(classCount), metrics: ['accuracy']});
    const shape = (n: number) => [n, ...job.featureShape];
    const own = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
    const xTrain = own(tf.tensor(job.train.features, shape(job.train.labels.length)));
    const yTrain = own(labelTensor(job.train.labels, classCount));
    const xVal = own(tf.tensor(job.validation.features, shape(job.validation.labels.length)));
    const yVal = own(labelTensor(job.validation.labels, classCount));
    const random = mulberry32(options.seed);
    const history: EpochLog[] = [];
    let stoppedEarly = false;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      throwIfCancelled(signal);
      const started = performance.now();
      const order = tf.tensor1d(shuffleInPlace(Array.from({length: job.train.labels.length}, (_, i) => i), random), 'int32');
      const [x, y] = tf.tidy(() => [xTrain.gather(order), yTrain.gather(order)]);
      order.dispose();
      let fit: tf.History;
      try {
        fit = await model.fit(x!, y!, {
          epochs: 1,
          batchSize: options.batchSize,
          shuffle: false,
          verbose: 0,
          yieldEvery: 'never',
          callbacks: {
            onBatchEnd: async () => {
              await yieldToEventLoop(); // lets cancel() in
              if (signal?.aborted) model.stopTraining = true;
            },
          },
        });
      } finally {
        tf.dispose([x!, y!]);
      }
      throwIfCancelled(signal);
      const [valLoss, valAccuracy] = await evaluate(model, xVal, yVal, options.batchSize);
      const loss = fit.history['loss']![0] as number;
      if (!Number.isFinite(loss) || !Number.isFinite(valLoss)) {
        throw new NamedError(ErrorName.TrainingDiverged, `The loss became ${loss} in epoch ${epoch}: lower the learning rate.`, {epoch});
      }
      if (!best || valLoss < best.loss) {
        best?.weights.forEach((w) => w.dispose());
        best = {epoch, loss: valLoss, weights: restoreBest ? model.getWeights().map((w) => w.clone()) : []};
      }
      const log: EpochLog = {
        epoch,
        loss,
        accuracy: (fit.history['acc'] ?? fit.history['accuracy'])![0] as number,
        valLoss,
        valAccuracy,
        seconds: (performance.now() - started) / 1000,
        // Counted after the best-epoch snapshot, so the count is comparable from epoch to epoch.
        numTensors: tf.memory().numTensors,
      };
      history.push(log);
      job.onEpoch?.(log);
      if (restoreBest && epoch - best.epoch >= options.earlyStoppingPatience!) {
        stoppedEarly = true;
        break;
      }
    }
    // With early stopping on, the head ends at its best epoch whether or not patience ran out.
    if (restoreBest && best && best.epoch !== history.length) model.setWeights(best.weights);
    return {model, history, bestEpoch: best?.epoch ?? 0, stoppedEarly};
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    // The optimizer's slots (RMSprop's running averages) are not the model's to dispose.
    model.optimizer?.dispose();
    best?.weights.forEach((w) => w.dispose());
    tf.dispose(owned);
  }
}

/** Validation loss and accuracy, read back asynchronously (synchronous reads are unreliable on WebGPU). */
async function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number): Promise<[number, number]> {
  const result = model.evaluate(x, y, {batchSize}) as tf.Scalar[];
  try {
    return [(await result[0]!.data())[0]!, (await result[1]!.data())[0]!];
  } finally {
    tf.dispose(result);
  }
}

function checkOptions(options: HeadOptions, trainCount: number, validationCount: number): void {
  const problems: string[] = [];
  if (!(options.learningRate > 0)) problems.push('the learning rate must be above 0');
  if (!Number.isInteger(options.epochs) || options.epochs < 1) problems.push('epochs must be a whole number from 1');
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) problems.push('the batch size must be a whole number from 1');
  if (options.earlyStoppingPatience !== null && !(options.earlyStoppingPatience >= 1)) problems.push('patience must be at least 1 epoch');
  if (trainCount === 0 || validationCount === 0) problems.push('training needs images in both train and validation');
  if (problems.length > 0) throw new NamedError(ErrorName.InvalidRequest, `Cannot train the head: ${problems.join('; ')}.`, {problems});
}
