import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {mulberry32} from '../../src/shared/random.ts';
import {sha256Hex} from '../runtime/sha256.ts';
import {VGG16_WIDTHS} from '../../src/shared/protocol/index.ts';
import {convLayers, expectedWeightShapes, widthsOf, type VggWidths} from './vgg16-layout.ts';

/** Weights as tfjs stores them: a manifest of tensors and one buffer of their bytes. */
export interface WeightsBundle {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/**
 * `vgg16/block1_conv1/kernel:0` and `block1_conv1/kernel` are the same
 * weight: converters add model-name prefixes and TensorFlow's `:0` suffix.
 */
export function normalizeWeightName(name: string): string {
  const parts = name.replace(/:\d+$/, '').split('/');
  return parts.slice(-2).join('/');
}

/** Bytes of one element of each dtype (a quantized weight's: of its quantized dtype). */
export const BYTES_PER_ELEMENT: Record<string, number> = {float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2};

function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const perElement = BYTES_PER_ELEMENT[dtype];
  if (perElement === undefined) {
    throw new NamedError(ErrorName.WeightsUnreadable, `Weight ${spec.name} has an unsupported dtype "${dtype}".`);
  }
  return elements * perElement;
}

export interface BundleCheck {
  /** Filters per block, read off the weights: VGG16's own, or a narrow variant's. */
  widths: VggWidths;
  /** Every way the bundle fails the VGG16 contract; empty when it fits. */
  problems: string[];
  /** Weights present but not part of the conv base (e.g. fc1 of a model with top). */
  ignored: string[];
}

/**
 * Compares a bundle's manifest with the VGG16 conv base (at the widths its
 * first kernels imply): missing, misshapen, duplicated, wrong size.
 */
export function checkVgg16Bundle(bundle: WeightsBundle): BundleCheck {
  const widths = widthsOf(new Map(bundle.specs.map((spec) => [normalizeWeightName(spec.name), spec.shape])));
  const expected = expectedWeightShapes(widths);
  const problems: string[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const spec of bundle.specs) {
    const name = normalizeWeightName(spec.name);
    const shape = expected.get(name);
    if (!shape) {
      ignored.push(spec.name);
      continue;
    }
    if (seen.has(name)) problems.push(`${name}: appears twice`);
    seen.add(name);
    if (spec.shape.join(',') !== shape.join(',')) {
      problems.push(`${name}: shape [${spec.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    if (spec.dtype !== 'float32') problems.push(`${name}: dtype ${spec.dtype}, expected float32`);
  }
  for (const name of expected.keys()) {
    if (!seen.has(name)) problems.push(`${name}: missing`);
  }
  const declared = bundle.specs.reduce((sum, spec) => sum + specBytes(spec), 0);
  if (declared !== bundle.data.byteLength) {
    problems.push(
      `weight data is ${bundle.data.byteLength} bytes but the manifest declares ${declared}` +
        (bundle.data.byteLength < declared ? ' (truncated shard?)' : ''),
    );
  }
  return {widths, problems, ignored};
}

export function assertVgg16Bundle(bundle: WeightsBundle, what: string): BundleCheck {
  const check = checkVgg16Bundle(bundle);
  if (check.problems.length > 0) {
    throw new NamedError(
      ErrorName.WeightsMismatch,
      `${what} is not a VGG16 conv base: ${check.problems.length} problem(s): ${check.problems.slice(0, 5).join('; ')}` +
        (check.problems.length > 5 ? '; …' : ''),
      {problems: check.problems},
    );
  }
  return check;
}

/** Decodes the conv-base tensors, keyed by normalized name; ignored weights are not materialised. */
export function decodeVgg16Bundle(bundle: WeightsBundle): tf.NamedTensorMap {
  const expected = expectedWeightShapes(); // Only the names matter here; they are the same at every width.
  const all = tf.io.decodeWeights(bundle.data, bundle.specs);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, tensor] of Object.entries(all)) {
    const normalized = normalizeWeightName(name);
    if (expected.has(normalized)) tensors[normalized] = tensor;
    else tensor.dispose();
  }
  return tensors;
}

/**
 * Seeded He-uniform kernels and zero biases in the VGG16 layout (at any
 * widths): the "no transfer" baseline, and weights for tests. Made with our
 * own PRNG so the same seed gives the same bytes on every backend.
 */
export function randomVgg16Bundle(seed: number, widths: VggWidths = VGG16_WIDTHS): WeightsBundle {
  const random = mulberry32(seed);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const arrays: Float32Array[] = [];
  for (const layer of convLayers(widths)) {
    const fanIn = 9 * layer.inChannels;
    const limit = Math.sqrt(6 / fanIn);
    const kernel = new Float32Array(fanIn * layer.filters);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (random() * 2 - 1) * limit;
    specs.push({name: `${layer.name}/kernel`, shape: [3, 3, layer.inChannels, layer.filters], dtype: 'float32'});
    specs.push({name: `${layer.name}/bias`, shape: [layer.filters], dtype: 'float32'});
    arrays.push(kernel, new Float32Array(layer.filters));
  }
  return {specs, data: concatBuffers(arrays.map((a) => a.buffer as ArrayBuffer))};
}

export function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

/** A stable id for weights: their SHA-256. Part of every feature cache key. */
export async function weightsId(data: ArrayBuffer): Promise<string> {
  return 'sha256:' + (await sha256Hex(data));
}
