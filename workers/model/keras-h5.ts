import {Dataset, File as H5File, FS, Group, ready} from 'h5wasm';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {concatBuffers, normalizeWeightName, type WeightsBundle} from './weights-bundle.ts';

/**
 * Reads Keras's weights-only HDF5 (e.g. vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5)
 * with h5wasm: root attribute `layer_names` (split into `layer_names0`,
 * `layer_names1`, … when long), one group per layer with attribute
 * `weight_names`, datasets `<layer>/<layer>_W_1:0` (HWIO kernel) and
 * `<layer>/<layer>_b_1:0`; pooling layers have no weights. Fixed-length
 * names may carry trailing NULs. Returns the same bundle a tfjs model.json
 * gives, so checking, caching and building need nothing else.
 */
export async function readKerasH5(bytes: ArrayBuffer): Promise<WeightsBundle> {
  await ready;
  const path = `/keras-weights-${crypto.randomUUID()}.h5`;
  FS!.writeFile(path, new Uint8Array(bytes));
  let file: H5File;
  try {
    file = new H5File(path, 'r');
  } catch (err) {
    FS!.unlink(path);
    throw new NamedError(ErrorName.WeightsUnreadable, `This is not an HDF5 weights file (${(err as Error).message ?? err}).`);
  }
  try {
    const layers = chunkedStrings(file, 'layer_names');
    if (layers.length === 0) {
      throw new NamedError(ErrorName.WeightsUnreadable, 'This HDF5 file has no "layer_names" attribute: it is not a Keras weights file.');
    }
    const specs: WeightsBundle['specs'] = [];
    const buffers: ArrayBuffer[] = [];
    for (const layer of layers) {
      const group = file.get(layer);
      if (!(group instanceof Group)) throw new NamedError(ErrorName.WeightsUnreadable, `Layer "${layer}" is listed but has no group in the file.`);
      for (const weight of chunkedStrings(group, 'weight_names')) {
        const dataset = group.get(weight) ?? file.get(weight);
        if (!(dataset instanceof Dataset)) throw new NamedError(ErrorName.WeightsUnreadable, `Weight "${weight}" of "${layer}" is missing.`);
        const values = dataset.value;
        if (!(values instanceof Float32Array)) {
          throw new NamedError(ErrorName.WeightsUnreadable, `Weight "${weight}" is not float32 (${(dataset as Dataset).dtype}).`);
        }
        specs.push({name: `${layer}/${roleOf(weight)}`, shape: dataset.shape ?? [], dtype: 'float32'});
        buffers.push(values.slice().buffer);
      }
    }
    return {specs, data: concatBuffers(buffers)};
  } catch (err) {
    if (err instanceof NamedError) throw err;
    // HDF5 opens a cut-off file (the superblock is at the start) and fails only when it reads past the end.
    throw new NamedError(ErrorName.WeightsUnreadable, `The HDF5 file is damaged or cut short (${(err as Error)?.message ?? err}).`);
  } finally {
    file.close();
    FS!.unlink(path);
  }
}

/** A string-array attribute, also when Keras split it into name0, name1, …; trailing NULs and blanks removed. */
function chunkedStrings(node: Group, name: string): string[] {
  const attrs = node.attrs;
  const parts = name in attrs ? [attrs[name]!] : Object.keys(attrs).filter((k) => new RegExp(`^${name}\\d+$`).test(k)).sort((a, b) => Number(a.slice(name.length)) - Number(b.slice(name.length))).map((k) => attrs[k]!);
  return parts.flatMap((attr) => {
    const value = attr.value;
    const list = Array.isArray(value) ? value : value === null ? [] : [value];
    return list.map((v) => decode(v)).filter((s) => s.length > 0);
  });
}

function decode(value: unknown): string {
  const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
  return text.replace(/[\0\s]+$/, '');
}

/** `block1_conv1_W_1:0` (Keras 1/2 notop files) or `block1_conv1/kernel:0` (newer) → kernel; likewise bias. */
function roleOf(weight: string): 'kernel' | 'bias' | string {
  const name = normalizeWeightName(weight);
  if (/(^|[/_])(W|kernel)(_\d+)?$/.test(name)) return 'kernel';
  if (/(^|[/_])(b|bias)(_\d+)?$/.test(name)) return 'bias';
  return name.split('/').at(-1)!;
}
