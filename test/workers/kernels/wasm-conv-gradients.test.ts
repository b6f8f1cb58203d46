import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {ErrorName} from '../../../src/shared/errors.ts';
import {mulberry32} from '../../../src/shared/random.ts';
import '../../../workers/runtime/backends.ts'; // serves the wasm binaries and registers the kernels

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  what: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  {what: "VGG16's block5 at 32×32 (2×2), batch 4", x: [4, 2, 2, 512], filter: [3, 3, 512, 512], strides: 1, pad: 'same'},
  {what: "VGG16's block5 at 150×150 (9×9), batch 2", x: [2, 9, 9, 512], filter: [3, 3, 512, 512], strides: 1, pad: 'same'},
  {what: 'stride 2, valid, rows and columns left unread', x: [3, 8, 7, 5], filter: [3, 3, 5, 4], strides: 2, pad: 'valid'},
  {what: 'stride 2, same, odd sizes', x: [2, 9, 6, 3], filter: [3, 2, 3, 6], strides: 2, pad: 'same'},
  {what: 'strides 1×3, same, 5×1 filter', x: [2, 7, 10, 4], filter: [5, 1, 4, 3], strides: [1, 3], pad: 'same'},
  {what: 'explicit padding, uneven', x: [2, 6, 5, 3], filter: [3, 3, 3, 2], strides: [1, 2], pad: [[0, 0], [2, 0], [1, 3], [0, 0]]},
  {what: 'explicit padding wider than the filter', x: [1, 4, 4, 2], filter: [2, 2, 2, 3], strides: 1, pad: [[0, 0], [3, 1], [0, 4], [0, 0]]},
  // (tfjs's conv2d gradient drops dimRoundingMode, on every backend: numeric padding is tested without it.)
  {what: 'numeric padding, stride 2', x: [2, 7, 6, 2], filter: [3, 3, 2, 2], strides: 2, pad: 1},
  {what: '1×1 filter, stride 2 (every other pixel unread)', x: [2, 5, 5, 4], filter: [1, 1, 4, 6], strides: 2, pad: 'valid'},
];

function values(shape: readonly number[], seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({length: shape.reduce((a, b) => a * b, 1)}, () => random() * 2 - 1);
}

/** dx and dW of sum(conv2d(x, W) · u) for a fixed u, on a backend. */
async function gradients(backend: string, c: Case): Promise<{dx: Float32Array; dw: Float32Array}> {
  await tf.setBackend(backend);
  const [dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(values(c.x, 1), c.x);
    const w = tf.tensor4d(values(c.filter, 2), c.filter);
    const probe = tf.conv2d(x, w, c.strides, c.pad);
    const u = tf.tensor(values(probe.shape, 3), probe.shape);
    return tf.grads((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(u).sum())([x, w]);
  });
  try {
    return {dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array};
  } finally {
    tf.dispose([dx!, dw!]);
  }
}

/** Largest difference relative to the reference's largest magnitude. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).to.equal(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

describe('conv2d gradients on wasm (our kernels) against the cpu backend', function () {
  after(() => tf.setBackend('cpu'));

  for (const c of CASES) {
    it(`${c.what}: x ${c.x.join('×')}, filter ${c.filter.join('×')}`, async () => {
      const expected = await gradients('cpu', c);
      const actual = await gradients('wasm', c);
      const dxError = relativeError(actual.dx, expected.dx);
      const dwError = relativeError(actual.dw, expected.dw);
      console.log(`${c.what}: relative error dx ${dxError.toExponential(1)}, dW ${dwError.toExponential(1)}`);
      expect(dxError, 'dx').to.be.below(1e-5);
      expect(dwError, 'dW').to.be.below(1e-5);
    });
  }

  it('tf.variableGrads of a small conv net matches cpu, and frees every intermediate', async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const vars = {
        c1: tf.variable(tf.tensor4d(values([3, 3, 3, 8], 11), [3, 3, 3, 8]).mul(0.3), true, `c1-${backend}`),
        b1: tf.variable(tf.tensor1d(values([8], 12)).mul(0.1), true, `b1-${backend}`),
        c2: tf.variable(tf.tensor4d(values([3, 3, 8, 6], 13), [3, 3, 8, 6]).mul(0.2), true, `c2-${backend}`),
        d: tf.variable(tf.tensor2d(values([3 * 3 * 6, 1], 14), [54, 1]).mul(0.1), true, `d-${backend}`),
      };
      const x = tf.tensor4d(values([3, 12, 12, 3], 15), [3, 12, 12, 3]);
      const y = tf.tensor2d([[0], [1], [1]]);
      const loss = () =>
        tf.tidy(() => {
          const h1 = tf.fused.conv2d({x, filter: vars.c1 as tf.Tensor4D, strides: 1, pad: 'same', bias: vars.b1, activation: 'relu'});
          const p = tf.maxPool(h1, 2, 2, 'valid');
          const h2 = tf.relu(tf.conv2d(p, vars.c2 as tf.Tensor4D, 2, 'same'));
          const logits = tf.matMul(h2.reshape([3, 54]), vars.d);
          return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
        });
      tf.dispose(tf.variableGrads(loss).grads); // warm-up: the backend's first-use allocations
      const tensors = tf.memory().numTensors;
      const dataIds = tf.engine().backend.numDataIds();
      const {value, grads} = tf.variableGrads(loss);
      const read = Object.fromEntries(await Promise.all(Object.entries(grads).map(async ([k, g]) => [k.split('-')[0]!, (await g.data()) as Float32Array] as const)));
      tf.dispose([value, ...Object.values(grads)]);
      const leaked = {tensors: tf.memory().numTensors - tensors, dataIds: tf.engine().backend.numDataIds() - dataIds};
      tf.dispose([x, y, ...Object.values(vars)]);
      return {read, leaked};
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expect(actual.leaked).to.deep.equal({tensors: 0, dataIds: 0});
    for (const name of ['c1', 'b1', 'c2', 'd']) {
      const error = relativeError(actual.read[name]!, expected.read[name]!);
      console.log(`small conv net, gradient of ${name}: relative error ${error.toExponential(1)}`);
      expect(error, name).to.be.below(1e-5);
    }
  });

  it('refuses NCHW by name', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    try {
      const attrs = {strides: [1, 1], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2]};
      expect(() => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, attrs)).to.throw().with.property('name', ErrorName.UnsupportedOperation);
      const inputAttrs = {strides: [1, 1], pad: 'same', dataFormat: 'NCHW', inputShape: [1, 2, 4, 4]};
      const filter = tf.zeros([3, 3, 2, 2]);
      expect(() => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter}, inputAttrs)).to.throw().with.property('name', ErrorName.UnsupportedOperation);
      filter.dispose();
    } finally {
      tf.dispose([x, dy]);
    }
  });
});
