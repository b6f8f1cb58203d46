import {Reader} from '@zip.js/zip.js';
import {File as H5File, FS, type Group, ready} from 'h5wasm';
import type {KerasLayerConfig, KerasModelConfig} from './classifier-topology.ts';
import type {ExportWeight} from './classifier-weights.ts';

/**
 * The Keras release whose `model.save('….h5')` layout is written. Keras reads
 * `keras_version` only to tell Keras 1 files (whose kernels it converts) from
 * later ones. The file is written by Transfer Lab with h5wasm, not by Keras.
 */
export const KERAS_VERSION = '2.15.0';
const BACKEND = 'tensorflow';

/** An HDF5 file in h5wasm's in-memory file system, read out by zip.js in chunks; `dispose` deletes it. */
export interface H5Output {
  size: number;
  reader: Reader<string>;
  dispose(): void;
}

/**
 * Writes the model as Keras 2's `model.save('model.h5')` does (legacy
 * HDF5 format, `keras.saving.legacy.hdf5_format`), so tf.keras 2.x
 * `load_model` rebuilds it from `model_config` and fills in the weights:
 *
 * - root attributes `keras_version`, `backend`, `model_config` (the
 *   model's JSON, with the InputLayer Keras 2 writes first: see
 *   kerasModelConfig); no `training_config` (the model is saved uncompiled);
 * - group `model_weights` with attributes `layer_names` (every layer, in
 *   order), `backend`, `keras_version`;
 * - per layer `model_weights/<layer>/` with attribute `weight_names`
 *   (`<layer>/kernel:0`, `<layer>/bias:0`; empty for layers without
 *   weights) and the datasets at `model_weights/<layer>/<layer>/kernel:0`.
 *
 * Strings are fixed-length, NUL-terminated, as h5py writes Python bytes.
 * The file is built in wasm memory and read from there into the zip
 * (one copy of the weights, not two).
 */
export async function writeKerasModelH5(topology: KerasModelConfig, weights: readonly ExportWeight[]): Promise<H5Output> {
  await ready;
  const path = `/export-${crypto.randomUUID()}.h5`;
  const file = new H5File(path, 'w');
  try {
    stringAttribute(file, 'keras_version', KERAS_VERSION);
    stringAttribute(file, 'backend', BACKEND);
    stringAttribute(file, 'model_config', JSON.stringify(kerasModelConfig(topology)));
    const group = file.create_group('model_weights');
    // As Keras's `model.layers`: every layer but the InputLayer.
    const layers = topology.config.layers.map((l) => l.config.name);
    stringArrayAttribute(group, 'layer_names', layers);
    stringAttribute(group, 'backend', BACKEND);
    stringAttribute(group, 'keras_version', KERAS_VERSION);
    for (const layer of layers) {
      const own = weights.filter((w) => w.name.startsWith(`${layer}/`));
      const layerGroup = group.create_group(layer);
      stringArrayAttribute(layerGroup, 'weight_names', own.map((w) => `${w.name}:0`));
      if (own.length === 0) continue;
      const inner = layerGroup.create_group(layer);
      for (const w of own) inner.create_dataset({name: `${w.name.slice(layer.length + 1)}:0`, data: w.values, shape: w.shape, dtype: '<f4'});
    }
  } catch (err) {
    file.close();
    FS!.unlink(path);
    throw err;
  }
  file.close();
  const reader = new MemfsReader(path);
  return {
    size: reader.size,
    reader,
    dispose: () => {
      reader.close();
      FS!.unlink(path);
    },
  };
}

/**
 * The topology as Keras 2 serialises a Sequential: an explicit InputLayer
 * first (named `<first layer>_input`, as Keras names the one it makes),
 * holding the batch input shape. tfjs's form — `batch_input_shape` on the
 * first layer — loads in tf.keras 2 too, but Keras 3's legacy loader reads
 * a `batch_input_shape` on any layer but an InputLayer as its
 * `input_shape`, batch axis included, and fails to build (seen with Keras
 * 3.15: "received kernel of shape (3, 3, 3, 16) and input of shape (None,
 * None, 32, 32, 3)"). `ragged` is left out: tf.keras before 2.2 would refuse it.
 */
export function kerasModelConfig(topology: KerasModelConfig): {class_name: 'Sequential'; config: {name: string; layers: Array<KerasLayerConfig | {class_name: 'InputLayer'; config: Record<string, unknown>}>}} {
  const [first, ...rest] = topology.config.layers;
  const {batch_input_shape, ...firstConfig} = first!.config;
  const input = {class_name: 'InputLayer' as const, config: {batch_input_shape, dtype: 'float32', sparse: false, name: `${first!.config.name}_input`}};
  return {class_name: 'Sequential', config: {name: topology.config.name, layers: [input, {...first!, config: firstConfig}, ...rest]}};
}

function stringAttribute(node: Group, name: string, value: string): void {
  node.create_attribute(name, value, null, fixedLength([value]));
}

function stringArrayAttribute(node: Group, name: string, values: string[]): void {
  node.create_attribute(name, values, [values.length], fixedLength(values.length > 0 ? values : ['']));
}

/** h5wasm's fixed-length ASCII (NUL-terminated) string type, one byte longer than the longest value for its NUL. */
function fixedLength(values: string[]): string {
  const encoder = new TextEncoder();
  return `A${Math.max(...values.map((v) => encoder.encode(v).length)) + 1}`;
}

/** A file of h5wasm's in-memory file system as zip.js reads it: a chunk at a time, never whole. */
class MemfsReader extends Reader<string> {
  readonly #stream: ReturnType<NonNullable<typeof FS>['open']>;

  constructor(path: string) {
    super(path);
    this.size = FS!.stat(path).size;
    this.#stream = FS!.open(path, 'r');
  }

  override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    const chunk = new Uint8Array(length);
    return chunk.subarray(0, FS!.read(this.#stream, chunk, 0, length, index));
  }

  close(): void {
    FS!.close(this.#stream);
  }
}
