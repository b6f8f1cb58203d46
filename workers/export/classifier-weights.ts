import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {BYTES_PER_ELEMENT, normalizeWeightName, type WeightsBundle} from '../model/weights-bundle.ts';
import type {StoredTensor} from '../training/checkpoint-store.ts';
import {weightedLayers, type ClassifierShape} from './classifier-topology.ts';

/** One weight of the exported model: `block1_conv1/kernel`, its shape, its float32 values. */
export interface ExportWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Weight values by name (`layer/kernel`, `layer/bias`), from one place. */
export type WeightSource = Map<string, {shape: readonly number[]; values: Float32Array}>;

/**
 * The conv base's weights as they sit in the loaded bytes: views, not
 * copies (VGG16's are 58 MB). Quantized entries are decoded one by one.
 */
export async function bundleWeights(bundle: WeightsBundle): Promise<WeightSource> {
  const source: WeightSource = new Map();
  let offset = 0;
  for (const spec of bundle.specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype]!;
    const name = normalizeWeightName(spec.name);
    if (!spec.quantization && spec.dtype === 'float32') {
      // A Float32Array view needs a 4-byte aligned offset; after odd-sized quantized entries, copy.
      const values = offset % 4 === 0 ? new Float32Array(bundle.data, offset, count) : new Float32Array(bundle.data.slice(offset, offset + bytes));
      source.set(name, {shape: spec.shape, values});
    } else {
      const decoded = tf.io.decodeWeights(bundle.data.slice(offset, offset + bytes), [spec]);
      const tensor = Object.values(decoded)[0]!;
      try {
        source.set(name, {shape: spec.shape, values: Float32Array.from(await tensor.data())});
      } finally {
        tf.dispose(decoded);
      }
    }
    offset += bytes;
  }
  return source;
}

/** A model's weights, read (asynchronously) from the backend that holds them. */
export async function modelWeights(model: tf.LayersModel): Promise<WeightSource> {
  const read = await Promise.all(
    model.weights.map(async (w) => {
      const tensor = w.read();
      return [normalizeWeightName(w.originalName), {shape: tensor.shape, values: (await tensor.data()) as Float32Array}] as const;
    }),
  );
  return new Map(read);
}

/** A checkpoint's weights (block5 and the head), as views of its bytes. */
export function storedWeights(stored: readonly StoredTensor[]): WeightSource {
  return new Map(stored.filter((s) => s.dtype === 'float32').map((s) => [normalizeWeightName(s.name), {shape: s.shape, values: new Float32Array(s.data)}]));
}

/**
 * Every weight of the classifier, in model order (each layer's kernel, then
 * its bias), taken from the last source that has it: a fine-tuned export
 * lists the loaded conv base first and the checkpoint after it, so block5
 * and the head come from the checkpoint. A weight missing from every
 * source, or of another shape, is an error naming each one.
 */
export function classifierWeights(shape: ClassifierShape, sources: readonly WeightSource[]): ExportWeight[] {
  const weights: ExportWeight[] = [];
  const problems: string[] = [];
  for (const {layer, kernel, bias} of weightedLayers(shape)) {
    for (const [role, expected] of [['kernel', kernel], ['bias', bias]] as const) {
      const name = `${layer}/${role}`;
      const found = sources.findLast((s) => s.has(name))?.get(name);
      if (!found) problems.push(`${name}: missing`);
      else if (found.shape.join() !== expected.join()) problems.push(`${name}: shape [${found.shape.join(', ')}], expected [${expected.join(', ')}]`);
      else weights.push({name, shape: [...expected], values: found.values});
    }
  }
  if (problems.length > 0) {
    throw new NamedError(
      ErrorName.InvalidRequest,
      `The model's weights do not fit together (${problems.slice(0, 4).join('; ')}): the head or checkpoint was made for another input size, class count or backbone.`,
      {problems},
    );
  }
  return weights;
}

