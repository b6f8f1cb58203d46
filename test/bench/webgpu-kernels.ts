import * as tf from '@tensorflow/tfjs';
import {registerWebgpuKernels} from '../../workers/kernels/webgpu/register.ts';
import {setWebgpuKernelOptions, type WebgpuKernelOptions} from '../../workers/kernels/webgpu/kernel-options.ts';
import type {BenchRow} from './benchmarks.ts';

const VARIANTS: Record<string, Partial<WebgpuKernelOptions>> = {
  stock: {kernels: 'stock'},
  // 'auto' would skip the subgroup path on shapes this small (too few workgroups for a large GPU).
  'ours, subgroup path': {kernels: 'ours', subgroups: 'always'},
  'ours, workgroup memory': {kernels: 'ours', subgroups: 'off'},
};

/** Milliseconds per call: calls queued back to back, then one read (the GPU has finished them all); the best of three rounds. */
async function msPerCall(f: () => tf.Tensor, reps: number): Promise<number> {
  const settle = async (t: tf.Tensor) => {
    const one = tf.slice(t, t.shape.map(() => 0), t.shape.map(() => 1));
    await one.data();
    tf.dispose([one, t]);
  };
  await settle(f()); // compiles
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let r = 0; r < reps - 1; r++) f().dispose();
    await settle(f());
    best = Math.min(best, (performance.now() - started) / reps);
  }
  return best;
}

/**
 * Our WebGPU convolution kernels against stock tfjs-webgpu's, side by side
 * in one page: the forward product with bias and ReLU (FusedConv2D) at
 * VGG16 layer shapes, and block5's two gradients. On SwiftShader the
 * ratios say little about a GPU (a CPU runs the shaders); the device
 * benchmark (scripts/gpu-bench) measures the same on a GPU.
 */
export async function webgpuKernels(): Promise<BenchRow[]> {
  registerWebgpuKernels();
  if (!(await tf.setBackend('webgpu'))) return [{label: 'no WebGPU backend', value: 0, unit: ''}];
  const rows: BenchRow[] = [];
  type Shape4 = [number, number, number, number];
  const shapes: Array<{name: string; x: Shape4; filter: Shape4}> = [
    {name: 'block2_conv2 16×16, batch 2', x: [2, 16, 16, 128], filter: [3, 3, 128, 128]},
    {name: 'block4_conv2 8×8, batch 2', x: [2, 8, 8, 512], filter: [3, 3, 512, 512]},
    {name: 'block5_conv2 4×4, batch 4', x: [4, 4, 4, 512], filter: [3, 3, 512, 512]},
  ];
  try {
    for (const s of shapes) {
      const x = tf.randomUniform(s.x, -1, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomUniform(s.filter, -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomUniform([s.filter[3]], -0.1, 0.1, 'float32', 3) as tf.Tensor1D;
      const dy = tf.randomUniform([s.x[0], s.x[1], s.x[2], s.filter[3]], -1, 1, 'float32', 4) as tf.Tensor4D;
      const attrs = {strides: [1, 1], pad: 'same', dataFormat: 'NHWC'};
      const ops: Array<[string, () => tf.Tensor]> = [
        ['forward + bias + ReLU', () => tf.fused.conv2d({x, filter: w, bias, activation: 'relu', strides: 1, pad: 'same'})],
        ['dW', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {...attrs, filterShape: s.filter}) as tf.Tensor],
        ['dx', () => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: w}, {...attrs, inputShape: s.x}) as tf.Tensor],
      ];
      for (const [op, f] of ops) {
        const times: Record<string, number> = {};
        for (const [variant, options] of Object.entries(VARIANTS)) {
          setWebgpuKernelOptions(options, true);
          times[variant] = await msPerCall(f, 3);
          rows.push({label: `${s.name}, ${op}, ${variant}`, value: Math.round(times[variant]!), unit: 'ms'});
        }
        for (const variant of Object.keys(VARIANTS).slice(1)) {
          rows.push({label: `${s.name}, ${op}: stock time / ${variant}`, value: Number((times['stock']! / times[variant]!).toFixed(2)), unit: '×'});
        }
      }
      tf.dispose([x, w, bias, dy]);
    }
  } finally {
    setWebgpuKernelOptions({}, true);
  }
  return rows;
}
