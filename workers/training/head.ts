import * as tf from '@tensorflow/tfjs';
import type {OptimizerName} from '../../src/shared/protocol/index.ts';

/**
 * Dropout whose masks are reproducible: a new mask every training step,
 * drawn from the layer's seed and a step counter. (tfjs's own Dropout with a
 * seed draws the same mask on every step, and without one is not seeded.)
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  #step = 0;

  /** Takes a config object, as tfjs's deserialisation (`new cls(config)`) expects. */
  constructor(config: {rate: number; seed: number; name?: string}) {
    super({name: config.name, trainable: false});
    this.rate = config.rate;
    this.seed = config.seed;
  }

  /** Continues the mask sequence from a given step (a resumed run draws what the uninterrupted one would). */
  restartAt(step: number): void {
    this.#step = step;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: {training?: boolean}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs['training'] || this.rate === 0) return x.clone();
    return tf.tidy(() => {
      const keep = tf.randomUniform(x.shape, 0, 1, 'float32', this.seed * 100_003 + this.#step++).greaterEqual(this.rate);
      return x.mul(keep.cast('float32')).div(1 - this.rate);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), rate: this.rate, seed: this.seed};
  }
}
tf.serialization.registerClass(SeededDropout);

/** The head's layers by role; the names are the weights' names too (`head_dense/kernel`). */
export const HEAD_LAYERS = {flatten: 'head_flatten', dense: 'head_dense', dropout: 'head_dropout', output: 'head_output'} as const;
export const HEAD_UNITS = 256;
export const HEAD_DROPOUT_RATE = 0.5;

/**
 * The tutorial's classifier head: Flatten → Dense(256, relu) →
 * Dropout(0.5) → Dense(1, sigmoid) for two classes, Dense(N, softmax) for
 * more. Seeded initialisation: the same seed gives the same start.
 */
export function buildHead(featureShape: readonly number[], classCount: number, seed: number): tf.Sequential {
  const binary = classCount === 2;
  return tf.sequential({
    name: 'head',
    layers: [
      tf.layers.flatten({inputShape: [...featureShape], name: HEAD_LAYERS.flatten}),
      tf.layers.dense({units: HEAD_UNITS, activation: 'relu', name: HEAD_LAYERS.dense, kernelInitializer: tf.initializers.glorotUniform({seed})}),
      new SeededDropout({rate: HEAD_DROPOUT_RATE, seed: seed + 1, name: HEAD_LAYERS.dropout}),
      tf.layers.dense({
        units: binary ? 1 : classCount,
        activation: binary ? 'sigmoid' : 'softmax',
        name: HEAD_LAYERS.output,
        kernelInitializer: tf.initializers.glorotUniform({seed: seed + 2}),
      }),
    ],
  });
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
  }
}

/** Binary cross-entropy for two classes, categorical for more, as in the tutorial. */
export function lossFor(classCount: number): 'binaryCrossentropy' | 'categoricalCrossentropy' {
  return classCount === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}

/** Labels in the shape the loss wants: [n, 1] of 0/1 for two classes, one-hot for more. */
export function labelTensor(labels: readonly number[], classCount: number): tf.Tensor2D {
  return tf.tidy(() =>
    classCount === 2
      ? tf.tensor2d(labels.map((l) => [l]), [labels.length, 1], 'float32')
      : (tf.oneHot(tf.tensor1d([...labels], 'int32'), classCount).toFloat() as tf.Tensor2D),
  );
}
