import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';

/**
 * Grad-CAM (Selvaraju et al., 2017, https://arxiv.org/abs/1610.02391):
 * where in the image a conv layer's features raise a class's score.
 *
 *   A      = the explained layer's output, [n, h, w, k]
 *   α_k    = mean over h, w of ∂score/∂A_k          (one weight per channel)
 *   map    = ReLU(Σ_k α_k · A_k), divided by its own maximum (per image)
 *
 * "Score" is the class's score before the output's activation, as in the
 * paper (the pre-softmax score): for a softmax output the class's logit;
 * for the two-class sigmoid output z = logit of class 1, the score of class
 * 1 is z and of class 0 is −z (the log-odds of each class: sigmoid(−z) =
 * 1 − sigmoid(z)). Through the probability instead, the sigmoid's slope
 * p(1 − p) only rescales every α by one positive number — the normalised
 * map is the same — until a confident prediction makes that slope round to
 * 0 in float32 (|z| ≳ 17) and the map vanishes; with softmax the probability's
 * gradient mixes in every other class's, which answers another question
 * ("this class rather than the others").
 */

/** A classifier cut at the explained layer: the layers up to it, and the rest. */
export interface SplitClassifier {
  /** Images → the explained layer's output A, [n, h, w, k]. */
  toMaps(images: tf.Tensor4D): tf.Tensor4D;
  /** A → scores before the output activation: [n, classes] for softmax, [n, 1] (class 1's logit) for a sigmoid. */
  toLogits(maps: tf.Tensor4D): tf.Tensor2D;
  /** How many classes the output tells apart (2 for a one-unit sigmoid). */
  classCount: number;
}

/**
 * Cuts a chain of layers (a conv base's, then a head's, in order) after the
 * layer named `layerName`. The layers run eagerly in inference mode
 * (dropout passes its input through), sharing the models' weights; the
 * last layer must be a Dense with a sigmoid (one unit) or softmax output,
 * whose activation is left off to give the scores, and the layers between
 * must flatten the maps (a Flatten, as the head has).
 */
export function splitAt(layers: readonly tf.layers.Layer[], layerName: string): SplitClassifier {
  const chain = layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const cut = chain.findIndex((layer) => layer.name === layerName);
  if (cut < 0) throw new NamedError(ErrorName.InvalidRequest, `The model has no layer named ${layerName} to explain.`);
  const output = chain.at(-1)!;
  const activation = output.getConfig()['activation'];
  const units = output.getConfig()['units'] as number;
  const fits = output.getClassName() === 'Dense' && ((activation === 'sigmoid' && units === 1) || (activation === 'softmax' && units >= 2));
  if (!fits || cut === chain.length - 1) {
    throw new NamedError(ErrorName.InvalidRequest, 'Grad-CAM explains a classifier whose last layer is a Dense sigmoid (one unit) or softmax output.');
  }
  const before = chain.slice(0, cut + 1);
  const after = chain.slice(cut + 1, -1);
  const [kernel, bias] = output.weights.map((w) => w.read());
  const run = (from: readonly tf.layers.Layer[], x: tf.Tensor) => from.reduce((y, layer) => layer.apply(y) as tf.Tensor, x);
  return {
    toMaps: (images) => tf.tidy(() => run(before, images) as tf.Tensor4D),
    toLogits: (maps) =>
      tf.tidy(() => {
        const logits = tf.matMul(run(after, maps) as tf.Tensor2D, kernel as tf.Tensor2D);
        return (bias ? logits.add(bias) : logits) as tf.Tensor2D;
      }),
    classCount: activation === 'sigmoid' ? 2 : units,
  };
}

/** Each row's predicted class: z ≥ 0 (p ≥ 0.5) is class 1 for a sigmoid, as evaluation counts it; the largest logit for softmax. */
export function predictedClasses(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => (logits.shape[1] === 1 ? logits.squeeze([1]).greaterEqual(0).toInt() : logits.argMax(1).toInt()) as tf.Tensor1D);
}

/** Every class's probability, [n, classes]: [1 − p, p] for a sigmoid. */
export function classProbabilities(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (logits.shape[1] !== 1) return tf.softmax(logits);
    const p = tf.sigmoid(logits);
    return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D;
  });
}

/** Each row's score for its target class (see the module's comment): ±z for a sigmoid, the class's logit for softmax. */
export function classScores(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    if (logits.shape[1] === 1) return logits.squeeze([1]).mul(targets.toFloat().mul(2).sub(1)) as tf.Tensor1D;
    return logits.mul(tf.oneHot(targets, logits.shape[1]!).toFloat()).sum(1) as tf.Tensor1D;
  });
}

export type GradCamTensors = {
  /** [n, h, w], each image's map in [0, 1]. */
  maps: tf.Tensor3D;
  /** [n]: the class each map explains. */
  targets: tf.Tensor1D;
  /** [n]: the predicted class. */
  predicted: tf.Tensor1D;
  /** [n, classes]. */
  probabilities: tf.Tensor2D;
};

/**
 * Grad-CAM of a batch of (preprocessed) images, for one target class or,
 * with `target` null, each image's predicted class. The images of a batch
 * are independent (no batch statistics in inference), so the gradient of
 * the summed scores gives each image its own gradient. The caller disposes
 * the tensors returned.
 */
export function gradCam(model: SplitClassifier, images: tf.Tensor4D, target: number | null): GradCamTensors {
  if (target !== null && !(Number.isInteger(target) && target >= 0 && target < model.classCount)) {
    throw new NamedError(ErrorName.InvalidRequest, `There is no class ${target} to explain: the model tells ${model.classCount} classes apart.`);
  }
  return tf.tidy(() => {
    // Outside the gradient: the conv layers below the explained one are run once and never taped.
    const features = model.toMaps(images);
    const logits = model.toLogits(features);
    const predicted = predictedClasses(logits);
    const targets = target === null ? predicted.clone() : (tf.fill([images.shape[0]], target, 'int32') as tf.Tensor1D);
    const gradient = tf.grad((a) => classScores(model.toLogits(a as tf.Tensor4D), targets).sum())(features);
    const weights = gradient.mean([1, 2], true); // α: [n, 1, 1, k]
    const cam = tf.relu(features.mul(weights).sum(3)) as tf.Tensor3D;
    // Per image by its own maximum; a map with no positive cell stays all zero (divNoNan: 0 / 0 → 0).
    const maps = tf.divNoNan(cam, cam.max([1, 2], true)) as tf.Tensor3D;
    return {maps, targets, predicted, probabilities: classProbabilities(logits)};
  });
}
