import {HEAD_DROPOUT_RATE, HEAD_LAYERS, HEAD_UNITS} from '../training/head.ts';
import {convLayers, featureShapeFor, type VggWidths} from '../model/vgg16-layout.ts';

/** One layer as Keras serialises it. */
export interface KerasLayerConfig {
  class_name: 'Conv2D' | 'MaxPooling2D' | 'Flatten' | 'Dense' | 'Dropout';
  config: Record<string, unknown> & {name: string};
}

/** A Sequential model as Keras (and tfjs's `model.toJSON()`) serialises it: `model_config` in a Keras .h5. */
export interface KerasModelConfig {
  class_name: 'Sequential';
  config: {name: string; layers: KerasLayerConfig[]};
}

export interface ClassifierShape {
  inputSize: number;
  /** Filters per VGG16 block. */
  widths: VggWidths;
  classCount: number;
}

/** The exported model's name (`model.name` in tfjs and Keras). */
export const CLASSIFIER_NAME = 'transfer_lab_classifier';

/**
 * The whole classifier as one flat Sequential of stock layers — block1_conv1
 * … block5_pool, then the head (Flatten, Dense, Dropout, Dense) — as
 * `model.toJSON()` of tfjs 4.22 writes it, which Keras 2 reads as it is:
 * snake_case keys, `batch_input_shape` on the first layer, initializers as
 * VarianceScaling / Zeros, the dtype as a plain 'float32' (no dtype policy).
 * The head's SeededDropout becomes a plain Dropout (the same at inference).
 * Written here rather than taken from a tfjs model so that exporting never
 * builds a second copy of VGG16's weights on the backend; a test checks it
 * equals tfjs's own serialisation of the same model.
 */
export function classifierTopology({inputSize, widths, classCount}: ClassifierShape): KerasModelConfig {
  const layers: KerasLayerConfig[] = [];
  let block = 0;
  for (const conv of convLayers(widths)) {
    if (conv.block !== block && block > 0) layers.push(maxPool(`block${block}_pool`));
    block = conv.block;
    layers.push({
      class_name: 'Conv2D',
      config: {
        filters: conv.filters,
        kernel_initializer: GLOROT_NORMAL,
        kernel_regularizer: null,
        kernel_constraint: null,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'same',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: 'relu',
        use_bias: true,
        bias_initializer: ZEROS,
        bias_regularizer: null,
        activity_regularizer: null,
        bias_constraint: null,
        name: conv.name,
        trainable: true,
        ...(layers.length === 0 ? {batch_input_shape: [null, inputSize, inputSize, 3], dtype: 'float32'} : {}),
      },
    });
  }
  layers.push(maxPool(`block${block}_pool`));
  const binary = classCount === 2;
  layers.push(
    {class_name: 'Flatten', config: {name: HEAD_LAYERS.flatten, trainable: true}},
    dense(HEAD_LAYERS.dense, HEAD_UNITS, 'relu'),
    {class_name: 'Dropout', config: {rate: HEAD_DROPOUT_RATE, noise_shape: null, seed: null, name: HEAD_LAYERS.dropout, trainable: true}},
    dense(HEAD_LAYERS.output, binary ? 1 : classCount, binary ? 'sigmoid' : 'softmax'),
  );
  return {class_name: 'Sequential', config: {name: CLASSIFIER_NAME, layers}};
}

/** A layer that holds weights, with their shapes (Keras's order: kernel, then bias). */
export interface WeightedLayer {
  layer: string;
  kernel: number[];
  bias: number[];
}

/** The layers with weights, in model order: the 13 convolutions (HWIO kernels), then the head's two dense layers. */
export function weightedLayers({inputSize, widths, classCount}: ClassifierShape): WeightedLayer[] {
  const convs = convLayers(widths).map((c) => ({layer: c.name, kernel: [3, 3, c.inChannels, c.filters], bias: [c.filters]}));
  const features = featureShapeFor(inputSize, widths.at(-1)!).reduce((a, b) => a * b, 1);
  const units = classCount === 2 ? 1 : classCount;
  return [
    ...convs,
    {layer: HEAD_LAYERS.dense, kernel: [features, HEAD_UNITS], bias: [HEAD_UNITS]},
    {layer: HEAD_LAYERS.output, kernel: [HEAD_UNITS, units], bias: [units]},
  ];
}

const GLOROT_NORMAL = {class_name: 'VarianceScaling', config: {scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null}};
const ZEROS = {class_name: 'Zeros', config: {}};

function maxPool(name: string): KerasLayerConfig {
  return {class_name: 'MaxPooling2D', config: {pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last', name, trainable: true}};
}

function dense(name: string, units: number, activation: 'relu' | 'sigmoid' | 'softmax'): KerasLayerConfig {
  return {
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: true,
      kernel_initializer: GLOROT_NORMAL,
      bias_initializer: ZEROS,
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
    },
  };
}
