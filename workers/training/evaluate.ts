import * as tf from '@tensorflow/tfjs';
import {accuracyOf, confusionMatrix, perClassMetrics} from '../../src/shared/metrics.ts';
import type {EvaluationResult, ImagePrediction} from '../../src/shared/protocol.ts';
import {labelTensor} from './head.ts';
import type {FeatureSet} from './train-head.ts';

export interface EvaluationInput extends FeatureSet {
  /** Manifest index of each row. */
  images: number[];
}

/**
 * Runs a classifier over a split and scores it: loss (the training loss),
 * accuracy, the confusion matrix, per-class precision/recall/F1, and every
 * image's prediction with its probability.
 */
export function evaluateClassifier(
  model: tf.LayersModel,
  input: EvaluationInput,
  featureShape: readonly number[],
  classCount: number,
  batchSize = 32,
): Pick<EvaluationResult, 'loss' | 'accuracy' | 'confusion' | 'perClass' | 'predictions'> {
  const n = input.labels.length;
  if (n === 0) return {loss: 0, accuracy: 0, confusion: confusionMatrix([], [], classCount), perClass: perClassMetrics(confusionMatrix([], [], classCount)), predictions: []};
  const [loss, probabilities] = tf.tidy(() => {
    const x = tf.tensor(input.features, [n, ...featureShape]);
    const y = labelTensor(input.labels, classCount);
    const scores = model.predict(x, {batchSize}) as tf.Tensor2D;
    const losses = classCount === 2 ? tf.metrics.binaryCrossentropy(y, scores) : tf.metrics.categoricalCrossentropy(y, scores);
    return [losses.mean().dataSync()[0]!, scores.arraySync()] as const;
  });
  const predictions: ImagePrediction[] = probabilities.map((row, i) => {
    if (classCount === 2) {
      const p = row[0]!;
      return {image: input.images[i]!, truth: input.labels[i]!, predicted: p >= 0.5 ? 1 : 0, probability: p >= 0.5 ? p : 1 - p};
    }
    const predicted = row.indexOf(Math.max(...row));
    return {image: input.images[i]!, truth: input.labels[i]!, predicted, probability: row[predicted]!};
  });
  const confusion = confusionMatrix(input.labels, predictions.map((p) => p.predicted), classCount);
  return {loss, accuracy: accuracyOf(confusion), confusion, perClass: perClassMetrics(confusion), predictions};
}
