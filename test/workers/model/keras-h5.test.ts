import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {ErrorName} from '../../../src/shared/errors.ts';
import {buildVgg16} from '../../../workers/model/vgg16.ts';
import {readKerasH5} from '../../../workers/model/keras-h5.ts';
import {assertVgg16Bundle, checkVgg16Bundle, decodeVgg16Bundle, randomVgg16Bundle} from '../../../workers/model/weights-bundle.ts';
import {VGG16_LAYER_NAMES, writeKerasH5} from '../../support/keras-h5.ts';
import {makeImages} from '../../support/fixtures.ts';
import {referenceVgg16} from '../../support/reference-vgg16.ts';
import {rejection} from '../../support/rejection.ts';

describe('Keras .h5 weights (h5wasm)', function () {
  const bundle = randomVgg16Bundle(12);

  it('reads the full VGG16 notop layout bit for bit: legacy names, NUL padding, chunked layer_names, empty weight_names', async () => {
    const bytes = await writeKerasH5(bundle, VGG16_LAYER_NAMES, {legacyNames: true, nulPadding: 6, chunks: 3});
    const read = await readKerasH5(bytes);
    expect(read.specs.map((s) => s.name)).to.deep.equal(bundle.specs.map((s) => s.name));
    expect(read.specs.map((s) => s.shape)).to.deep.equal(bundle.specs.map((s) => s.shape));
    expect(checkVgg16Bundle(read).problems).to.deep.equal([]);
    const a = new Uint32Array(read.data);
    const b = new Uint32Array(bundle.data);
    expect(a.length).to.equal(b.length);
    expect(a.findIndex((v, i) => v !== b[i])).to.equal(-1);
  });

  it('reads newer kernel:0 / bias:0 names too', async () => {
    const read = await readKerasH5(await writeKerasH5(bundle, VGG16_LAYER_NAMES));
    expect(checkVgg16Bundle(read).problems).to.deep.equal([]);
  });

  it('names a model that is not VGG16 (a reduced one) with what is missing', async () => {
    const reducedLayers = ['block1_conv1', 'block1_conv2', 'block1_pool'];
    const reduced = {specs: bundle.specs.slice(0, 4), data: bundle.data.slice(0, bundle.specs.slice(0, 4).reduce((s, x) => s + x.shape.reduce((a, b) => a * b, 1) * 4, 0))};
    const read = await readKerasH5(await writeKerasH5(reduced, reducedLayers, {legacyNames: true}));
    const err = await rejection(Promise.resolve().then(() => assertVgg16Bundle(read, 'vgg-reduced.h5')));
    expect(err.name).to.equal(ErrorName.WeightsMismatch);
    expect(err.details.problems).to.include('block2_conv1/kernel: missing');
  });

  it('names a truncated file and a text file as unreadable', async () => {
    const bytes = await writeKerasH5(bundle, VGG16_LAYER_NAMES, {legacyNames: true});
    for (const broken of [bytes.slice(0, bytes.byteLength / 2), new TextEncoder().encode('just some text, not HDF5').buffer]) {
      const err = await rejection(readKerasH5(broken));
      expect(err.name).to.equal(ErrorName.WeightsUnreadable);
    }
  });

  it('gives VGG16 weights that compute what an independent reference computes (within 1e-4)', async () => {
    const read = await readKerasH5(await writeKerasH5(bundle, VGG16_LAYER_NAMES, {legacyNames: true}));
    await tf.setBackend('cpu');
    const image = makeImages(1, 32, 4);
    const input = Float32Array.from(image, (v) => v / 255);
    const reference = referenceVgg16(input, 32, read);
    const tensors = decodeVgg16Bundle(read);
    const model = buildVgg16(32, tensors);
    tf.dispose(tensors);
    const x = tf.tensor4d(input, [1, 32, 32, 3]);
    const output = model.predict(x) as tf.Tensor;
    const actual = await output.data();
    tf.dispose([x, output]);
    model.dispose();
    expect(reference.size).to.equal(1);
    let worst = 0;
    let range = 0;
    reference.values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - actual[i]!));
      range = Math.max(range, Math.abs(v));
    });
    console.log(`VGG16 on .h5 fixture weights vs plain-loop reference: max |diff| ${worst.toExponential(2)} of range ${range.toFixed(3)}`);
    expect(range).to.be.greaterThan(0);
    expect(worst / range).to.be.at.most(1e-4);
  });
});

