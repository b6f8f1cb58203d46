import * as tf from '@tensorflow/tfjs';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import {ImplicitGemmProgram, SplitKSumProgram, type GemmOperation, type GemmShape} from './implicit-gemm.ts';
import {webgpuKernelOptions} from './kernel-options.ts';
import {planGemm} from './plan.ts';
import {subgroupSizeOf} from './device.ts';

export interface GemmRun {
  op: GemmOperation;
  shape: GemmShape;
  inputs: tf.TensorInfo[];
  outputShape: number[];
  /** The subgroup path could run it (A four along K, N a multiple of 4). */
  subgroupable: boolean;
  /** K may be split where the grid is small (then a second pass sums, with the bias and ReLU). */
  splitK: boolean;
}

/**
 * Runs an implicit product on the backend and returns its output, or null
 * when no plan fits this device (the kernel then falls back to tfjs's).
 */
export function runGemm(backend: WebGPUBackend, run: GemmRun): tf.TensorInfo | null {
  const limits = backend.device.limits;
  const plan = planGemm(
    {
      shape: run.shape,
      subgroupable: run.subgroupable,
      subgroupSize: subgroupSizeOf(backend.device),
      splitK: run.splitK,
      maxWorkgroupBytes: limits.maxComputeWorkgroupStorageSize,
      maxWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    },
    webgpuKernelOptions(),
  );
  if (!plan) return null;
  if (plan.splits === 1) {
    const program = new ImplicitGemmProgram(run.op, run.shape, plan, run.outputShape);
    return backend.runWebGPUProgram(program, run.inputs, 'float32', program.uniformData());
  }
  // The split product leaves the bias to the sum, and must not bind it: an 'auto' layout drops unused bindings.
  const biasAt = run.op.variableNames.indexOf('bias');
  const without = <T>(list: T[]) => list.filter((_, i) => i !== biasAt);
  const op = {...run.op, variableNames: without(run.op.variableNames), variableComponents: without(run.op.variableComponents)};
  const program = new ImplicitGemmProgram(op, run.shape, plan, run.outputShape);
  const product = backend.runWebGPUProgram(program, without(run.inputs), 'float32', program.uniformData());
  try {
    const component = run.shape.N % 4 === 0 ? 4 : 1;
    const sum = new SplitKSumProgram(run.outputShape, component, run.op.bias, run.op.relu);
    const bias = biasAt >= 0 ? [run.inputs[biasAt]!] : [];
    return backend.runWebGPUProgram(sum, [product, ...bias], 'float32', [
      {type: 'int32', data: [plan.splits]},
      {type: 'int32', data: [(run.shape.M * run.shape.N) / component]},
      {type: 'int32', data: [run.shape.N / component]},
    ]);
  } finally {
    backend.disposeData(product.dataId);
  }
}
