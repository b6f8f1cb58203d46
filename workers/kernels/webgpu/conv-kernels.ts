import * as tf from '@tensorflow/tfjs';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';
import {filterGradientOperands, forwardOperands, geometryOf, geometryUniforms, inputGradientOperands, type ConvGeometry} from './conv-operands.ts';
import {webgpuKernelOptions} from './kernel-options.ts';
import {runGemm} from './run-gemm.ts';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** What our kernels do not cover goes to tfjs's kernel: NCHW, dilation, other dtypes, empty tensors. */
function covered(attrs: ConvAttrs, tensors: tf.TensorInfo[], shapes: number[][]): boolean {
  const dilations = attrs.dilations ?? 1;
  return (
    webgpuKernelOptions().kernels === 'ours' &&
    attrs.dataFormat === 'NHWC' &&
    (typeof dilations === 'number' ? dilations === 1 : dilations.every((d) => d === 1)) &&
    tensors.every((t) => t.dtype === 'float32') &&
    shapes.every((s) => s.every((d) => d > 0))
  );
}

function geometry(inShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  return geometryOf(
    tf.backend_util.computeConv2DInfo(
      inShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    ),
  );
}

/** Conv2D and FusedConv2D (bias and ReLU in the epilogue; other activations and PReLU go to tfjs). */
export function forwardConv(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const {x, filter, bias, preluActivationWeights} = args.inputs as Partial<Record<string, tf.TensorInfo>>;
    const attrs = args.attrs as unknown as ConvAttrs & {activation?: string | null};
    const activation = attrs.activation ?? 'linear';
    if (!x || !filter || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return stock(args);
    const outC = filter.shape[3]!;
    if (bias && !(bias.shape.length === 1 && bias.shape[0] === outC)) return stock(args);
    if (!covered(attrs, [x, filter, ...(bias ? [bias] : [])], [x.shape, filter.shape])) return stock(args);
    const g = geometry(x.shape, filter.shape, attrs);
    const vecOut = g.outC % 4 === 0;
    const {a, b} = forwardOperands(g);
    const result = runGemm(args.backend as WebGPUBackend, {
      op: {
        name: 'conv2d',
        variableNames: bias ? ['x', 'W', 'bias'] : ['x', 'W'],
        variableComponents: [a.vector === 'none' ? 1 : 4, vecOut ? 4 : 1, ...(bias ? [vecOut ? 4 : 1] : [])],
        a,
        b,
        bias: Boolean(bias),
        relu: activation === 'relu',
        uniforms: geometryUniforms(g),
        variant: `${g.inC % 4 === 0}_${vecOut}`,
      },
      shape: {M: g.batch * g.outH * g.outW, N: g.outC, K: g.filterH * g.filterW * g.inC},
      inputs: bias ? [x, filter, bias] : [x, filter],
      outputShape: [g.batch, g.outH, g.outW, g.outC],
      subgroupable: g.inC % 4 === 0 && vecOut,
      splitK: true,
    });
    return result ?? stock(args);
  };
}

/** Conv2DBackpropInput: dx as an implicit product of dy and the filter. */
export function conv2dBackpropInput(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const {dy, filter} = args.inputs as Record<string, tf.TensorInfo>;
    const attrs = args.attrs as unknown as ConvAttrs & {inputShape: number[]};
    if (!covered(attrs, [dy!, filter!], [dy!.shape, filter!.shape, attrs.inputShape])) return stock(args);
    const g = geometry(attrs.inputShape, filter!.shape, attrs);
    const vecK = g.outC % 4 === 0;
    const vecOut = g.inC % 4 === 0;
    const {a, b} = inputGradientOperands(g);
    const result = runGemm(args.backend as WebGPUBackend, {
      op: {
        name: 'conv2dDx',
        variableNames: ['dy', 'W'],
        variableComponents: [vecK ? 4 : 1, vecK ? 4 : 1],
        a,
        b,
        bias: false,
        relu: false,
        uniforms: geometryUniforms(g),
        variant: `${vecK}_${vecOut}_${g.strideH === 1 && g.strideW === 1}`,
      },
      shape: {M: g.batch * g.inH * g.inW, N: g.inC, K: g.filterH * g.filterW * g.outC},
      inputs: [dy!, filter!],
      outputShape: [g.batch, g.inH, g.inW, g.inC],
      subgroupable: vecK && vecOut,
      splitK: true,
    });
    return result ?? stock(args);
  };
}

/** Conv2DBackpropFilter: dW as an implicit product of the input patches and dy. */
export function conv2dBackpropFilter(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const {x, dy} = args.inputs as Record<string, tf.TensorInfo>;
    const attrs = args.attrs as unknown as ConvAttrs & {filterShape: number[]};
    if (!covered(attrs, [x!, dy!], [x!.shape, dy!.shape])) return stock(args);
    const g = geometry(x!.shape, attrs.filterShape, attrs);
    const vecIn = g.inC % 4 === 0;
    const vecOut = g.outC % 4 === 0;
    const {a, b} = filterGradientOperands(g);
    const result = runGemm(args.backend as WebGPUBackend, {
      op: {
        name: 'conv2dDw',
        variableNames: ['x', 'dy'],
        variableComponents: [vecIn ? 4 : 1, vecOut ? 4 : 1],
        a,
        b,
        bias: false,
        relu: false,
        uniforms: geometryUniforms(g),
        variant: `${vecIn}_${vecOut}`,
      },
      shape: {M: g.filterH * g.filterW * g.inC, N: g.outC, K: g.batch * g.outH * g.outW},
      inputs: [x!, dy!],
      outputShape: [g.filterH, g.filterW, g.inC, g.outC],
      subgroupable: false,
      splitK: true,
    });
    return result ?? stock(args);
  };
}
