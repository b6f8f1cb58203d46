import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {MIN_INPUT_SIZE, convLayers, widthsOf} from './vgg16-layout.ts';

/**
 * Builds the VGG16 conv base for a square input and sets its weights.
 * The weights are independent of the input size, so one set of weight
 * tensors serves models of any size; `setWeights` copies them. The widths
 * come from the weights (VGG16's own, or the demo's narrow variant).
 */
export function buildVgg16(inputSize: number, weights: tf.NamedTensorMap): tf.LayersModel {
  if (!Number.isInteger(inputSize) || inputSize < MIN_INPUT_SIZE) {
    throw new NamedError(
      ErrorName.InvalidRequest,
      `VGG16 needs a square input of at least ${MIN_INPUT_SIZE}×${MIN_INPUT_SIZE} pixels; got ${inputSize}.`,
    );
  }
  const layers = convLayers(widthsOf(new Map(Object.entries(weights).map(([name, tensor]) => [name, tensor.shape]))));
  const model = tf.sequential({name: 'vgg16'});
  let block = 0;
  for (const layer of layers) {
    if (layer.block !== block && block > 0) {
      model.add(tf.layers.maxPooling2d({poolSize: 2, strides: 2, name: `block${block}_pool`}));
    }
    block = layer.block;
    model.add(
      tf.layers.conv2d({
        name: layer.name,
        filters: layer.filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        // The weights are set right below; skip a random init of 14.7M params.
        kernelInitializer: 'zeros',
        ...(model.layers.length === 0 ? {inputShape: [inputSize, inputSize, 3]} : {}),
      }),
    );
  }
  model.add(tf.layers.maxPooling2d({poolSize: 2, strides: 2, name: `block${block}_pool`}));
  for (const layer of layers) {
    model.getLayer(layer.name).setWeights([weights[`${layer.name}/kernel`]!, weights[`${layer.name}/bias`]!]);
  }
  model.trainable = false;
  return model;
}
