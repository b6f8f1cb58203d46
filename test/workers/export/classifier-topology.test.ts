import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {classifierTopology, weightedLayers} from '../../../workers/export/classifier-topology.ts';
import {convLayers} from '../../../workers/model/vgg16-layout.ts';

/** The same classifier built with tfjs's own layers, as a user would write it. */
function tfjsClassifier(inputSize: number, widths: number[], classCount: number): tf.Sequential {
  const model = tf.sequential({name: 'transfer_lab_classifier'});
  let block = 0;
  for (const conv of convLayers(widths)) {
    if (conv.block !== block && block > 0) model.add(tf.layers.maxPooling2d({poolSize: 2, strides: 2, name: `block${block}_pool`}));
    block = conv.block;
    model.add(
      tf.layers.conv2d({
        name: conv.name,
        filters: conv.filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        ...(model.layers.length === 0 ? {inputShape: [inputSize, inputSize, 3]} : {}),
      }),
    );
  }
  model.add(tf.layers.maxPooling2d({poolSize: 2, strides: 2, name: `block${block}_pool`}));
  model.add(tf.layers.flatten({name: 'head_flatten'}));
  model.add(tf.layers.dense({units: 256, activation: 'relu', name: 'head_dense'}));
  model.add(tf.layers.dropout({rate: 0.5, name: 'head_dropout'}));
  model.add(tf.layers.dense({units: classCount === 2 ? 1 : classCount, activation: classCount === 2 ? 'sigmoid' : 'softmax', name: 'head_output'}));
  return model;
}

describe('the exported topology', () => {
  before(() => tf.setBackend('cpu'));

  for (const classCount of [2, 5]) {
    it(`is what tfjs's model.toJSON() writes for the same model (${classCount} classes), weights in the same order and shapes`, () => {
      const widths = [2, 3, 4, 5, 6];
      const model = tfjsClassifier(64, widths, classCount);
      try {
        const json = model.toJSON(null, false) as unknown as {class_name: string; config: unknown};
        const ours = classifierTopology({inputSize: 64, widths, classCount});
        expect(ours).to.deep.equal({class_name: json.class_name, config: json.config});
        const shapes = weightedLayers({inputSize: 64, widths, classCount}).flatMap((l) => [l.kernel, l.bias]);
        expect(shapes).to.deep.equal(model.weights.map((w) => w.shape));
        expect(model.weights.map((w) => w.originalName)).to.deep.equal(weightedLayers({inputSize: 64, widths, classCount}).flatMap((l) => [`${l.layer}/kernel`, `${l.layer}/bias`]));
      } finally {
        model.dispose();
      }
    });
  }
});
