import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {ErrorName} from '../../../src/shared/errors.ts';
import {gradCam, splitAt, type GradCamTensors} from '../../../workers/explain/grad-cam.ts';
import '../../../workers/runtime/backends.ts'; // registers webgpu, serves the wasm binaries
import {SeededDropout} from '../../../workers/training/head.ts';
import {rejection} from '../../support/rejection.ts';

/**
 * A network small enough to do Grad-CAM by hand, shaped like the head on
 * block5: a layer named block5_conv3 (a 1×1 identity conv, so its output A
 * is the input), a 2×2 max pool, Flatten, Dense(2, relu), dropout, and a
 * one-unit sigmoid (or a softmax) output.
 *
 *   A, channel 0        A, channel 1       pooled P (ch0 | ch1)     flattened P (NHWC)
 *   1 2 | 0 5           2 0 | 0 1          3 5 | 2 3                [3, 2, 5, 3, 4, 1, 3, 4]
 *   0 3 | 1 2           1 0 | 3 0          4 3 | 1 4
 *   4 0 | 1 0           0 0 | 2 0
 *   0 1 | 3 2           1 0 | 0 4
 *
 * Hidden: h0 = P[0] + P[1] = 5, h1 = P[3] − 1 = 2 (both on); output
 * z = 2·h0 − 3·h1 − 1 = 3, p = sigmoid(3) ≈ 0.9526: class 1.
 * ∂z/∂P = 2·[1, 1, 0, 0, …] − 3·[0, 0, 0, 1, 0, …] = [2, 2, 0, −3, 0, 0, 0, 0];
 * the pool sends each to its window's maximum: ∂z/∂A is 2 at A0(1,1) (P[0]),
 * 2 at A1(0,0) (P[1]), −3 at A1(1,2) (P[3]), 0 elsewhere.
 * α0 = 2/16, α1 = (2 − 3)/16 = −1/16, so for class 1 (score z)
 * map = ReLU(2·A0 − A1)/16, over its max (9/16):
 *
 *   2·A0 − A1:  0  4  0  9      class 1:  0    4/9  0    1
 *              −1  6 −1  4                0    6/9  0    4/9
 *               8  0  0  0                8/9  0    0    0
 *              −1  2  6  0                0    2/9  6/9  0
 *
 * and for class 0 (score −z) map = ReLU(A1 − 2·A0)/16, over its max (1/16):
 * 1 at (1,0), (1,2), (3,0), 0 elsewhere.
 */
const A0 = [
  [1, 2, 0, 5],
  [0, 3, 1, 2],
  [4, 0, 1, 0],
  [0, 1, 3, 2],
];
const A1 = [
  [2, 0, 0, 1],
  [1, 0, 3, 0],
  [0, 0, 2, 0],
  [1, 0, 0, 4],
];
const CLASS_1 = [
  [0, 4 / 9, 0, 1],
  [0, 6 / 9, 0, 4 / 9],
  [8 / 9, 0, 0, 0],
  [0, 2 / 9, 6 / 9, 0],
];
const CLASS_0 = [
  [0, 0, 0, 0],
  [1, 0, 1, 0],
  [0, 0, 0, 0],
  [1, 0, 0, 0],
];

/** W (8×2) of the hidden layer: column 0 adds P[0] and P[1], column 1 takes P[3]. */
const HIDDEN = [[1, 0], [1, 0], [0, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 0]];

function handNetwork(output: 'sigmoid' | 'softmax'): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({name: 'block5_conv3', filters: 2, kernelSize: 1, inputShape: [4, 4, 2]}),
      tf.layers.maxPooling2d({name: 'block5_pool', poolSize: 2, strides: 2}),
      tf.layers.flatten(),
      tf.layers.dense({units: 2, activation: 'relu'}),
      new SeededDropout({rate: 0.5, seed: 1}),
      tf.layers.dense({units: output === 'sigmoid' ? 1 : 2, activation: output}),
    ],
  });
  model.layers[0]!.setWeights(tf.tidy(() => [tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]), tf.zeros([2])])); // identity 1×1 kernel: A = input
  model.layers[3]!.setWeights(tf.tidy(() => [tf.tensor2d(HIDDEN), tf.tensor1d([0, -1])]));
  // Softmax: logit 1 is the sigmoid's z, logit 0 is constant 0 (its gradient is zero everywhere).
  model.layers[5]!.setWeights(
    tf.tidy(() => (output === 'sigmoid' ? [tf.tensor2d([[2], [-3]]), tf.tensor1d([-1])] : [tf.tensor2d([[0, 2], [0, -3]]), tf.tensor1d([0, -1])])),
  );
  return model;
}

/** A as the network's input, [n, 4, 4, 2]; the second image (if any) is the first mirrored left to right. */
function inputs(count: 1 | 2): tf.Tensor4D {
  const image = (flip: boolean) => A0.map((row, r) => row.map((_, c) => [A0[r]![flip ? 3 - c : c]!, A1[r]![flip ? 3 - c : c]!]));
  return tf.tensor4d([image(false), ...(count === 2 ? [image(true)] : [])]);
}

async function read(out: GradCamTensors) {
  const result = {
    maps: (await out.maps.array()) as number[][][],
    targets: Array.from(await out.targets.data()),
    predicted: Array.from(await out.predicted.data()),
    probabilities: (await out.probabilities.array()) as number[][],
  };
  tf.dispose(out);
  return result;
}

function expectClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, r) => row.forEach((v, c) => expect(v, `(${r}, ${c})`).to.be.closeTo(expected[r]![c]!, 1e-5)));
}

// Every backend the app may explain on: the gradient from block5_conv3 needs MaxPoolGrad, BatchMatMul and Step, which wasm has too.
for (const backend of ['cpu', 'wasm', 'webgl', 'webgpu'] as const) {
  describe(`Grad-CAM in closed form (${backend})`, function () {
    let sigmoid: tf.Sequential;
    let softmax: tf.Sequential;
    before(async () => {
      expect(await tf.setBackend(backend), `${backend} starts`).to.equal(true);
      sigmoid = handNetwork('sigmoid');
      softmax = handNetwork('softmax');
    });
    after(async () => {
      sigmoid.dispose();
      softmax.dispose();
      await tf.setBackend('cpu');
    });

    it('weights block5_conv3 by the pooled gradient of the logit, per class, and leaves no tensor behind', async () => {
      const classifier = splitAt(sigmoid.layers, 'block5_conv3');
      const x = inputs(1);
      const baseline = tf.memory().numTensors;
      const predicted = await read(gradCam(classifier, x, null));
      expect(tf.memory().numTensors).to.equal(baseline);
      expect(predicted.predicted).to.deep.equal([1]);
      expect(predicted.targets).to.deep.equal([1]);
      expect(predicted.probabilities[0]![1]).to.be.closeTo(1 / (1 + Math.exp(-3)), 1e-5);
      expect(predicted.probabilities[0]![0]).to.be.closeTo(1 - 1 / (1 + Math.exp(-3)), 1e-5);
      expectClose(predicted.maps[0]!, CLASS_1);
      const other = await read(gradCam(classifier, x, 0));
      expect(other.targets).to.deep.equal([0]);
      expect(other.predicted).to.deep.equal([1]);
      expectClose(other.maps[0]!, CLASS_0);
      expect(tf.memory().numTensors).to.equal(baseline);
      x.dispose();
    });

    it('gives each image of a batch its own map', async () => {
      const x = inputs(2);
      const {maps} = await read(gradCam(splitAt(sigmoid.layers, 'block5_conv3'), x, 1));
      x.dispose();
      // The mirrored image routes the gradient to other cells: its map is not the first one mirrored, so compare with each alone.
      const mirrored = tf.tidy(() => inputs(2).slice([1], [1]) as tf.Tensor4D);
      const alone = await read(gradCam(splitAt(sigmoid.layers, 'block5_conv3'), mirrored, 1));
      mirrored.dispose();
      expectClose(maps[0]!, CLASS_1);
      expectClose(maps[1]!, alone.maps[0]!);
    });

    it("explains a softmax class by its logit, not its probability: a constant logit's map is all zero", async () => {
      const x = inputs(1);
      const classifier = splitAt(softmax.layers, 'block5_conv3');
      const one = await read(gradCam(classifier, x, 1));
      expect(one.predicted).to.deep.equal([1]);
      expect(one.probabilities[0]![1]).to.be.closeTo(Math.exp(3) / (1 + Math.exp(3)), 1e-5);
      expectClose(one.maps[0]!, CLASS_1);
      // softmax(z)[0]'s gradient is −p0·p1·∂z/∂A: a map like class 0's above; the logit's is 0.
      const zero = await read(gradCam(classifier, x, 0));
      expectClose(zero.maps[0]!, CLASS_0.map((row) => row.map(() => 0)));
      x.dispose();
    });
  });
}

describe('Grad-CAM refuses what it cannot explain', () => {
  it('names a missing layer, a model without a classifier output, and a class out of range', async () => {
    const model = handNetwork('sigmoid');
    try {
      expect(() => splitAt(model.layers, 'block4_conv3')).to.throw(/no layer named block4_conv3/);
      expect(() => splitAt(model.layers.slice(0, 4), 'block5_conv3')).to.throw(/Dense sigmoid/);
      const x = inputs(1);
      const err = await rejection(Promise.resolve().then(() => gradCam(splitAt(model.layers, 'block5_conv3'), x, 2)));
      x.dispose();
      expect(err.name).to.equal(ErrorName.InvalidRequest);
      expect(err.message).to.match(/no class 2/);
    } finally {
      model.dispose();
    }
  });
});
