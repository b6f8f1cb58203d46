import * as tf from '@tensorflow/tfjs';

type Attrs = Record<string, unknown>;

/**
 * Runs kernels already registered for the wasm backend from inside another
 * kernel, the way tfjs backends compose their own (calling a kernel function
 * directly, not through the engine: no tape, no tensors, only TensorInfos),
 * and frees every intermediate it made. `keep` hands one result to the caller.
 */
export class KernelScope {
  readonly #made: tf.TensorInfo[] = [];

  constructor(readonly backend: tf.KernelBackend) {}

  /** `inputs` as the kernel takes them: named, or a list (Concat). */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: Attrs = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`The wasm backend has no ${kernelName} kernel to compose from.`);
    const out = kernel.kernelFunc({inputs: inputs as tf.NamedTensorInfoMap, backend: this.backend, attrs: attrs as unknown as tf.NamedAttrMap}) as tf.TensorInfo;
    this.#made.push(out);
    return out;
  }

  /** A float32 tensor made from values. */
  constant(values: Float32Array, shape: number[]): tf.TensorInfo {
    const info: tf.TensorInfo = {dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32'};
    this.#made.push(info);
    return info;
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', {x}, {perm});
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', {x}, {shape});
  }

  /** Pads with zeros, or crops where an amount is negative. */
  padOrCrop(x: tf.TensorInfo, amounts: Array<[number, number]>): tf.TensorInfo {
    let out = x;
    if (amounts.some(([before, after]) => before < 0 || after < 0)) {
      const begin = amounts.map(([before]) => Math.max(0, -before));
      const size = amounts.map(([before, after], i) => out.shape[i]! - Math.max(0, -before) - Math.max(0, -after));
      out = this.run('Slice', {x: out}, {begin, size});
    }
    if (amounts.some(([before, after]) => before > 0 || after > 0)) {
      out = this.run('PadV2', {x: out}, {paddings: amounts.map(([before, after]) => [Math.max(0, before), Math.max(0, after)]), constantValue: 0});
    }
    return out;
  }

  /** Takes a result out of the scope: the caller owns it. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const at = this.#made.indexOf(info);
    // An input handed back as the output would be freed twice (once as the input, once as the output).
    if (at < 0) throw new Error('KernelScope.keep: the result was not made in this scope.');
    this.#made.splice(at, 1);
    return info;
  }

  /** Frees every intermediate (a reshape only drops its reference to the shared data). */
  dispose(): void {
    for (const info of this.#made.splice(0)) this.backend.disposeData(info.dataId);
  }
}

/** Runs `compose` in a scope and returns what it returns, every intermediate freed. */
export function composed(backend: tf.KernelBackend, compose: (scope: KernelScope) => tf.TensorInfo): tf.TensorInfo {
  const scope = new KernelScope(backend);
  try {
    return scope.keep(compose(scope));
  } finally {
    scope.dispose();
  }
}
