import * as tf from '@tensorflow/tfjs';
import {accuracyOf, confusionMatrix, perClassMetrics} from '../../src/shared/metrics.ts';
import type {EvaluationResult, ImagePrediction} from '../../src/shared/protocol/index.ts';
import {betweenBatches} from '../runtime/jobs.ts';
import {labelTensor} from './head.ts';
import type {FeatureSet} from './train-head.ts';

export interface EvaluationInput extends FeatureSet {
  /** Manifest index of each row. */
  images: number[];
}

/** Each row's predicted class and its probability, from a sigmoid (two classes) or softmax output. */
export function predictionsFrom(probabilities: number[][], input: Pick<EvaluationInput, 'labels' | 'images'>, classCount: number): ImagePrediction[] {
  return probabilities.map((row, i) => {
    if (classCount === 2) {
      const p = row[0]!;
      return {image: input.images[i]!, truth: input.labels[i]!, predicted: p >= 0.5 ? 1 : 0, probability: p >= 0.5 ? p : 1 - p};
    }
    const predicted = row.indexOf(Math.max(...row));
    return {image: input.images[i]!, truth: input.labels[i]!, predicted, probability: row[predicted]!};
  });
}

type Scores = Pick<EvaluationResult, 'loss' | 'accuracy' | 'confusion' | 'perClass' | 'predictions'>;

function summarize(predictions: ImagePrediction[], labels: readonly number[], loss: number, classCount: number): Scores {
  const confusion = confusionMatrix(labels, predictions.map((p) => p.predicted), classCount);
  return {loss, accuracy: accuracyOf(confusion), confusion, perClass: perClassMetrics(confusion), predictions};
}

/** The loss the model trains with, per row. */
function rowLosses(labels: readonly number[], scores: tf.Tensor2D, classCount: number): tf.Tensor1D {
  const y = labelTensor(labels, classCount);
  return (classCount === 2 ? tf.metrics.binaryCrossentropy(y, scores) : tf.metrics.categoricalCrossentropy(y, scores)) as tf.Tensor1D;
}

/**
 * Scores and per-row losses read back asynchronously: on WebGPU a
 * synchronous read (dataSync/arraySync) has been seen to return zeros.
 */
async function scoreRows(model: tf.LayersModel, x: tf.Tensor, labels: readonly number[], classCount: number, batchSize: number) {
  const [scores, losses] = tf.tidy(() => {
    const s = model.predict(x, {batchSize}) as tf.Tensor2D;
    return [s, rowLosses(labels, s, classCount).sum()];
  });
  try {
    return {rows: await scores.array(), lossSum: (await losses.data())[0]!};
  } finally {
    tf.dispose([scores, losses]);
  }
}

/**
 * Runs a classifier (the head) over a split's cached features and scores
 * it: loss, accuracy, the confusion matrix, per-class precision/recall/F1,
 * and every image's prediction with its probability.
 */
export interface ScoreJob {
  batchSize?: number;
  signal?: AbortSignal;
  /** Rows scored so far, of all. */
  onBatch?: (done: number, total: number) => void;
}

export async function evaluateClassifier(
  model: tf.LayersModel,
  input: EvaluationInput,
  featureShape: readonly number[],
  classCount: number,
  {batchSize = 256, signal, onBatch}: ScoreJob = {},
): Promise<Scores> {
  const n = input.labels.length;
  const size = featureShape.reduce((a, b) => a * b, 1);
  const probabilities: number[][] = [];
  let lossSum = 0;
  onBatch?.(0, n);
  for (let start = 0; start < n; start += batchSize) {
    await betweenBatches(signal);
    const end = Math.min(n, start + batchSize);
    const x = tf.tensor(input.features.subarray(start * size, end * size), [end - start, ...featureShape]);
    try {
      const scored = await scoreRows(model, x, input.labels.slice(start, end), classCount, batchSize);
      lossSum += scored.lossSum;
      probabilities.push(...scored.rows);
    } finally {
      x.dispose();
    }
    onBatch?.(end, n);
  }
  return summarize(predictionsFrom(probabilities, input, classCount), input.labels, n ? lossSum / n : 0, classCount);
}

/** The same for the fine-tuned model, from the images themselves (block5 changed: cached features no longer apply). */
export async function evaluateOnImages(
  model: tf.LayersModel,
  input: Pick<EvaluationInput, 'labels' | 'images'>,
  classCount: number,
  toInput: (images: number[]) => Promise<tf.Tensor4D>,
  {batchSize = 16, signal, onBatch}: ScoreJob = {},
): Promise<Scores> {
  const probabilities: number[][] = [];
  let lossSum = 0;
  const n = input.images.length;
  onBatch?.(0, n);
  for (let start = 0; start < n; start += batchSize) {
    await betweenBatches(signal);
    const x = await toInput(input.images.slice(start, start + batchSize));
    try {
      const scored = await scoreRows(model, x, input.labels.slice(start, start + batchSize), classCount, batchSize);
      lossSum += scored.lossSum;
      probabilities.push(...scored.rows);
    } finally {
      x.dispose();
    }
    onBatch?.(Math.min(n, start + batchSize), n);
  }
  return summarize(predictionsFrom(probabilities, input, classCount), input.labels, n ? lossSum / n : 0, classCount);
}
