import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import type {WebGPUBackend, WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';
import {registerWebgpuKernels} from '../../../workers/kernels/webgpu/register.ts';
import {setWebgpuKernelOptions, type WebgpuKernelOptions} from '../../../workers/kernels/webgpu/kernel-options.ts';
import {subgroupSizeOf} from '../../../workers/kernels/webgpu/device.ts';

registerWebgpuKernels();

/**
 * Every output is a float32 sum of up to 9·512 = 4,608 products, added in
 * another order than tfjs-cpu adds them. Its rounding error grows like
 * √K·2⁻²⁴ of the terms' magnitude: ≈ 1e-6 of the largest output here (the
 * printed figures). 1e-4 leaves room for that and still catches any wrong
 * index, tile edge or missed term, which are off by the size of a term
 * (≥ 1e-2 of the largest output with these random inputs).
 */
const TOLERANCE = 1e-4;

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid';
  /** Also checks the FusedConv2D epilogue (bias + ReLU); a shader of its own, so only where the epilogue differs (vector or scalar writes). */
  fused?: boolean;
}

const CASES: Case[] = [
  {name: 'block1_conv1 (3 channels in: scalar reads)', x: [2, 9, 9, 3], filter: [3, 3, 3, 64], strides: 1, pad: 'same'},
  {name: 'block2_conv1 at 6×6', x: [2, 6, 6, 64], filter: [3, 3, 64, 128], strides: 1, pad: 'same', fused: true},
  {name: 'block5_conv2 at 3×3 (K = 4,608)', x: [1, 3, 3, 512], filter: [3, 3, 512, 512], strides: 1, pad: 'same'},
  {name: 'odd sizes and channels (scalar reads and writes), batch 3', x: [3, 7, 5, 6], filter: [3, 3, 6, 10], strides: 1, pad: 'same', fused: true},
  {name: 'stride 2, valid padding, 5×5 filter', x: [2, 11, 10, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'valid'},
];

interface Path {
  label: string;
  options: Partial<WebgpuKernelOptions>;
  /** The forward product's path where the shape allows it. */
  expect: 'subgroup' | 'shared';
  /** The cases run on this path (SwiftShader compiles every shader variant slowly: each path runs what it adds). */
  cases: string[];
}
const PATHS: Path[] = [
  {label: 'workgroup memory, tiles chosen per shape', options: {subgroups: 'off'}, expect: 'shared', cases: CASES.map((c) => c.name)},
  {
    label: 'subgroups where the device has them',
    options: {subgroups: 'always'},
    expect: 'subgroup',
    cases: ['block2_conv1 at 6×6', 'block5_conv2 at 3×3 (K = 4,608)', 'stride 2, valid padding, 5×5 filter'],
  },
  {
    label: 'workgroup memory, 64×64×8 tiles, K split 3 ways',
    options: {subgroups: 'off', tiles: {tileM: 64, tileN: 64, tileK: 8}, splits: 3},
    expect: 'shared',
    cases: ['block2_conv1 at 6×6', 'odd sizes and channels (scalar reads and writes), batch 3'],
  },
];

interface Outputs {
  forward: Float32Array;
  fused?: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** Forward (and fused bias + ReLU forward) and both gradients of Σ conv(x, W) ⊙ g, on the current backend. */
async function run(c: Case, values: {x: Float32Array; w: Float32Array; bias: Float32Array; g: Float32Array; gShape: number[]}): Promise<Outputs> {
  const x = tf.tensor4d(values.x, c.x);
  const w = tf.tensor4d(values.w, c.filter);
  const bias = tf.tensor1d(values.bias);
  const g = tf.tensor(values.g, values.gShape);
  const forward = tf.conv2d(x, w, c.strides, c.pad);
  const fused = c.fused ? tf.fused.conv2d({x, filter: w, bias, activation: 'relu', strides: c.strides, pad: c.pad}) : null;
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(g).sum())([x, w]);
  try {
    const [f, gx, gw, fu] = await Promise.all([forward, dx!, dw!, ...(fused ? [fused] : [])].map((t) => t.data<'float32'>()));
    return {forward: f!, dx: gx!, dw: gw!, ...(fu ? {fused: fu} : {})};
  } finally {
    tf.dispose([x, w, bias, g, forward, dx!, dw!, ...(fused ? [fused] : [])]);
  }
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).to.equal(expected.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  }
  expect(maxRef, 'a reference that is not all zeros').to.be.greaterThan(0);
  return maxDiff / maxRef;
}

/** Which of our programs ran (their shader keys), to know the path under test was the one taken. */
function recordPrograms(): {keys: string[]; stop: () => void} {
  const backend = tf.backend() as WebGPUBackend;
  const original = backend.runWebGPUProgram;
  const keys: string[] = [];
  backend.runWebGPUProgram = (program: WebGPUProgram, ...rest: Parameters<typeof original> extends [unknown, ...infer R] ? R : never) => {
    keys.push(program.shaderKey);
    return original.call(backend, program, ...rest);
  };
  return {keys, stop: () => (backend.runWebGPUProgram = original)};
}

describe('WebGPU convolution kernels against tfjs-cpu', function () {
  const references = new Map<string, {inputs: Parameters<typeof run>[1]; outputs: Outputs}>();
  let subgroupSize = 0;
  /** WebGPU reports a shader that does not compile only as an uncaptured error (tfjs goes on with garbage). */
  const gpuErrors: string[] = [];

  before(async () => {
    expect(await tf.setBackend('cpu')).to.equal(true);
    for (const c of CASES) {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const gShape = info.outShape;
      const random = (shape: number[], seed: number) => tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed).dataSync() as Float32Array);
      const inputs = {x: random(c.x, 1), w: random(c.filter, 2), bias: random([c.filter[3]], 3), g: random(gShape, 4), gShape};
      references.set(c.name, {inputs, outputs: await run(c, inputs)});
    }
    expect(await tf.setBackend('webgpu')).to.equal(true);
    const device = (tf.backend() as WebGPUBackend).device;
    subgroupSize = subgroupSizeOf(device);
    device.addEventListener('uncapturederror', (event) => gpuErrors.push((event as GPUUncapturedErrorEvent).error.message));
  });

  after(async () => {
    setWebgpuKernelOptions({}, true);
    await tf.setBackend('cpu');
  });

  for (const path of PATHS) {
    describe(path.label, () => {
      before(() => {
        setWebgpuKernelOptions(path.options, true);
      });

      for (const c of CASES.filter((c) => path.cases.includes(c.name))) {
        it(c.name, async function () {
          const {inputs, outputs: reference} = references.get(c.name)!;
          const before = tf.memory().numTensors;
          const recorder = recordPrograms();
          let ours: Outputs;
          try {
            ours = await run(c, inputs);
          } finally {
            recorder.stop();
          }
          const errors = {
            forward: relativeError(ours.forward, reference.forward),
            ...(c.fused ? {fused: relativeError(ours.fused!, reference.fused!)} : {}),
            dx: relativeError(ours.dx, reference.dx),
            dw: relativeError(ours.dw, reference.dw),
          };
          console.log(`${path.label} / ${c.name}: max relative error ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
          expect(gpuErrors, 'WebGPU errors').to.deep.equal([]);
          for (const [what, error] of Object.entries(errors)) expect(error, what).to.be.below(TOLERANCE);
          expect(tf.memory().numTensors, 'tensors left behind').to.equal(before);

          // Every product (forward, fused, the gradient's forward, dx, dw) went through our programs, on the path under test where it applies.
          const gemms = recorder.keys.filter((k) => k.startsWith('tlGemm'));
          const forwards = c.fused ? 3 : 2;
          expect(gemms.filter((k) => k.includes('_conv2d_')).length, 'forward products (plain, fused, and the one under the gradient)').to.equal(forwards);
          expect(gemms.some((k) => k.includes('_conv2dDx_')), 'an input-gradient product').to.equal(true);
          expect(gemms.some((k) => k.includes('_conv2dDw_')), 'a filter-gradient product').to.equal(true);
          const subgroupReady = subgroupSize > 0 && c.x[3] % 4 === 0 && c.filter[3] % 4 === 0 && c.filter[3] >= 4 * subgroupSize;
          const forwardKinds = gemms.filter((k) => k.includes('_conv2d_')).map((k) => /_(shared|subgroup)_/.exec(k)?.[1]);
          const expected = path.expect === 'subgroup' && subgroupReady ? 'subgroup' : 'shared';
          expect(forwardKinds, 'the forward path taken').to.deep.equal(Array(forwards).fill(expected));
          if (path.options.splits) expect(recorder.keys.some((k) => k.startsWith('tlSplitKSum')), 'a split-K sum').to.equal(true);
        });
      }
    });
  }

  it('offers subgroups to the kernels where the adapter has them', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    const info = adapter!.info as GPUAdapterInfo & {subgroupMinSize?: number; subgroupMaxSize?: number};
    const fixed = adapter!.features.has('subgroups') && info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : 0;
    expect(subgroupSize).to.equal(fixed);
  });

  it("falls back to tfjs's kernels for what ours do not cover (dilation, leaky ReLU)", async () => {
    const recorder = recordPrograms();
    try {
      const x = tf.randomUniform([1, 7, 7, 4], -1, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, 4, 8], -1, 1, 'float32', 6) as tf.Tensor4D;
      const dilated = tf.conv2d(x, w, 1, 'same', 'NHWC', 2);
      const leaky = tf.fused.conv2d({x, filter: w, strides: 1, pad: 'same', activation: 'leakyrelu'});
      await Promise.all([dilated.data(), leaky.data()]);
      tf.dispose([x, w, dilated, leaky]);
    } finally {
      recorder.stop();
    }
    expect(recorder.keys.some((k) => k.startsWith('tlGemm'))).to.equal(false);
  });
});
