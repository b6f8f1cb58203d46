import {Dataset, File as H5File, FS, Group, ready} from 'h5wasm';
import type {WeightsBundle} from '../../workers/model/weights-bundle.ts';

export interface H5Options {
  /** Split layer_names into this many attributes (layer_names0, layer_names1, …), as Keras does for long lists. */
  chunks?: number;
  /** Extra NUL bytes of fixed-length padding on every name. */
  nulPadding?: number;
  /** Keras 1/2 notop naming (block1_conv1_W_1:0) rather than kernel:0/bias:0. */
  legacyNames?: boolean;
}

/**
 * Writes weights in the exact layout of Keras's weights-only HDF5 files
 * (what keras.applications' VGG16 notop download is), with h5wasm: one
 * group per layer in `layers` (pool layers with an empty weight_names),
 * fixed-length NUL-padded names. Returns the file's bytes.
 */
export async function writeKerasH5(bundle: WeightsBundle, layers: readonly string[], options: H5Options = {}): Promise<ArrayBuffer> {
  await ready;
  const path = `/fixture-${crypto.randomUUID()}.h5`;
  const file = new H5File(path, 'w');
  const fixed = (names: string[]) => `A${Math.max(1, ...names.map((n) => n.length)) + (options.nulPadding ?? 0)}`;
  const chunks = options.chunks ?? 1;
  if (chunks === 1) file.create_attribute('layer_names', [...layers], [layers.length], fixed([...layers]));
  else {
    const size = Math.ceil(layers.length / chunks);
    for (let c = 0; c < chunks; c++) {
      const part = layers.slice(c * size, (c + 1) * size);
      file.create_attribute(`layer_names${c}`, part, [part.length], fixed(part));
    }
  }
  file.create_attribute('backend', 'tensorflow');
  let offset = 0;
  const byLayer = new Map<string, WeightsBundle['specs']>();
  for (const spec of bundle.specs) {
    const layer = spec.name.split('/')[0]!;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), spec]);
  }
  const data = new Map<string, Float32Array>();
  for (const spec of bundle.specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    data.set(spec.name, new Float32Array(bundle.data, offset * 4, n));
    offset += n;
  }
  for (const layer of layers) {
    const group = file.create_group(layer);
    const specs = byLayer.get(layer) ?? [];
    const names = specs.map((s) => {
      const role = s.name.split('/')[1]!;
      return options.legacyNames ? `${layer}_${role === 'kernel' ? 'W' : 'b'}_1:0` : `${role}:0`;
    });
    // Pool layers: an empty list, as Keras writes it.
    group.create_attribute('weight_names', names, [names.length], fixed(names.length ? names : ['x']));
    specs.forEach((s, i) => group.create_dataset({name: names[i]!, data: data.get(s.name)!, shape: s.shape, dtype: '<f4'}));
  }
  file.flush();
  file.close();
  const bytes = FS!.readFile(path) as Uint8Array;
  FS!.unlink(path);
  return bytes.slice().buffer;
}

/** The 18 layer names of VGG16 notop, pools included, in order. */
export const VGG16_LAYER_NAMES = [1, 2, 3, 4, 5].flatMap((block) => [
  ...Array.from({length: block < 3 ? 2 : 3}, (_, i) => `block${block}_conv${i + 1}`),
  `block${block}_pool`,
]);

/** A Keras model .h5 as read back with h5wasm: the root's and model_weights' attributes, and every layer's weights. */
export interface KerasModelFile {
  attrs: Record<string, string>;
  weightsAttrs: {layer_names: string[]; backend: string; keras_version: string};
  /** Per layer group: its weight_names attribute and the datasets found at model_weights/<layer>/<weight name>. */
  layers: Map<string, {weightNames: string[]; weights: Map<string, {shape: number[]; values: Float32Array}>}>;
}

export async function readKerasModelH5(bytes: Uint8Array): Promise<KerasModelFile> {
  await ready;
  const path = `/read-${crypto.randomUUID()}.h5`;
  FS!.writeFile(path, bytes);
  const file = new H5File(path, 'r');
  try {
    const text = (node: Group, name: string) => decodeString(node.attrs[name]!.value);
    const list = (node: Group, name: string) => {
      const value = node.attrs[name]!.value;
      return (Array.isArray(value) ? value : []).map(decodeString);
    };
    const group = file.get('model_weights') as Group;
    const layers: KerasModelFile['layers'] = new Map();
    for (const layer of group.keys()) {
      const layerGroup = group.get(layer) as Group;
      const weightNames = list(layerGroup, 'weight_names');
      const weights = new Map<string, {shape: number[]; values: Float32Array}>();
      for (const name of weightNames) {
        const dataset = layerGroup.get(name) as Dataset;
        weights.set(name, {shape: dataset.shape ?? [], values: dataset.value as Float32Array});
      }
      layers.set(layer, {weightNames, weights});
    }
    return {
      attrs: Object.fromEntries(Object.keys(file.attrs).map((name) => [name, text(file, name)])),
      weightsAttrs: {layer_names: list(group, 'layer_names'), backend: text(group, 'backend'), keras_version: text(group, 'keras_version')},
      layers,
    };
  } finally {
    file.close();
    FS!.unlink(path);
  }
}

function decodeString(value: unknown): string {
  const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
  return text.replace(/\0+$/, '');
}
