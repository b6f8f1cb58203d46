import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {mulberry32, shuffleInPlace} from '../../src/shared/random.ts';
import type {EpochLog, HeadOptions} from '../../src/shared/protocol.ts';
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
  const model = buildHead(job.featureShape, classCount, options.seed);
  model.compile({optimizer: makeOptimizer(options.optimizer, options.learningRate), loss: lossFor(classCount), metrics: ['accuracy']});

  const shape = (n: number) => [n, ...job.featureShape];
  const xTrain = tf.tensor(job.train.features, shape(job.train.labels.length));
  const yTrain = labelTensor(job.train.labels, classCount);
  const xVal = tf.tensor(job.validation.features, shape(job.validation.labels.length));
  const yVal = labelTensor(job.validation.labels, classCount);
  const random = mulberry32(options.seed);
  const history: EpochLog[] = [];
  let best: {epoch: number; loss: number; weights: tf.Tensor[]} | null = null;
  let stoppedEarly = false;
  try {
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
      const [valLoss, valAccuracy] = evaluate(model, xVal, yVal, options.batchSize);
      const log: EpochLog = {
        epoch,
        loss: fit.history['loss']![0] as number,
        accuracy: (fit.history['acc'] ?? fit.history['accuracy'])![0] as number,
        valLoss,
        valAccuracy,
        seconds: (performance.now() - started) / 1000,
        numTensors: tf.memory().numTensors,
      };
      if (!Number.isFinite(log.loss) || !Number.isFinite(valLoss)) {
        throw new NamedError(ErrorName.TrainingDiverged, `The loss became ${log.loss} in epoch ${epoch}: lower the learning rate.`, {
          epoch,
        });
      }
      history.push(log);
      if (!best || valLoss < best.loss) {
        best?.weights.forEach((w) => w.dispose());
        best = {epoch, loss: valLoss, weights: options.earlyStoppingPatience === null ? [] : model.getWeights().map((w) => w.clone())};
      }
      job.onEpoch?.(log);
      if (options.earlyStoppingPatience !== null && epoch - best.epoch >= options.earlyStoppingPatience) {
        stoppedEarly = true;
        break;
      }
    }
    if (stoppedEarly && best) model.setWeights(best.weights);
    return {model, history, bestEpoch: best?.epoch ?? 0, stoppedEarly};
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    // The optimizer's slots (RMSprop's running averages) are not the model's to dispose.
    model.optimizer.dispose();
    best?.weights.forEach((w) => w.dispose());
    tf.dispose([xTrain, yTrain, xVal, yVal]);
  }
}

function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number): [number, number] {
  const result = model.evaluate(x, y, {batchSize}) as tf.Scalar[];
  try {
    return [result[0]!.dataSync()[0]!, result[1]!.dataSync()[0]!];
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
