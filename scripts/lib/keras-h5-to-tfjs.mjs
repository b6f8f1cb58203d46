// @ts-check
import {createHash} from 'node:crypto';
import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import h5wasm from 'h5wasm/node';

const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Converts Keras's weights-only HDF5 (root `layer_names`, possibly chunked
 * into `layer_names0…`; per-layer `weight_names`; datasets `<layer>/<name>`)
 * to a tfjs layers model directory: model.json with a weights manifest and
 * 4 MB binary shards, weights named `<layer>/kernel` and `<layer>/bias`.
 * The same reading rules as the app's workers/model/keras-h5.ts.
 * @param {string} h5Path
 * @param {string} outDir
 * @returns {Promise<{weights: number, bytes: number, shards: number}>}
 */
export async function convertKerasH5(h5Path, outDir) {
  await h5wasm.ready;
  const file = new h5wasm.File(h5Path, 'r');
  /** @type {{name: string, shape: number[], dtype: 'float32'}[]} */
  const specs = [];
  /** @type {Float32Array[]} */
  const arrays = [];
  try {
    const layers = strings(file, 'layer_names');
    if (layers.length === 0) throw new Error('no "layer_names" attribute: not a Keras weights file');
    for (const layer of layers) {
      const group = file.get(layer);
      if (!(group instanceof h5wasm.Group)) throw new Error(`layer "${layer}" has no group`);
      for (const weight of strings(group, 'weight_names')) {
        const dataset = group.get(weight);
        if (!(dataset instanceof h5wasm.Dataset) || !(dataset.value instanceof Float32Array)) throw new Error(`weight "${weight}" is missing or not float32`);
        specs.push({name: `${layer}/${role(weight)}`, shape: dataset.shape ?? [], dtype: 'float32'});
        arrays.push(dataset.value);
      }
    }
  } finally {
    file.close();
  }
  const all = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));
  await mkdir(outDir, {recursive: true});
  const count = Math.max(1, Math.ceil(all.length / SHARD_BYTES));
  const paths = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    await writeFile(join(outDir, name), all.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
  }
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras (weights-only HDF5)',
    convertedBy: 'transfer-lab scripts/fetch-weights.mjs',
    modelTopology: null,
    weightsManifest: [{paths, weights: specs}],
  };
  await writeFile(join(outDir, 'model.json'), JSON.stringify(modelJson));
  return {weights: specs.length, bytes: all.length, shards: count};
}

/** @param {any} node @param {string} name @returns {string[]} */
function strings(node, name) {
  const attrs = node.attrs;
  const keys = name in attrs ? [name] : Object.keys(attrs).filter((k) => new RegExp(`^${name}\\d+$`).test(k)).sort((a, b) => Number(a.slice(name.length)) - Number(b.slice(name.length)));
  return keys.flatMap((k) => {
    const value = attrs[k].value;
    const list = Array.isArray(value) ? value : value == null ? [] : [value];
    return list.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)).replace(/[\0\s]+$/, '')).filter(Boolean);
  });
}

/** @param {string} weight */
function role(weight) {
  const name = weight.replace(/:\d+$/, '').split('/').slice(-2).join('/');
  if (/(^|[/_])(W|kernel)(_\d+)?$/.test(name)) return 'kernel';
  if (/(^|[/_])(b|bias)(_\d+)?$/.test(name)) return 'bias';
  return name.split('/').at(-1);
}

/** @param {Uint8Array} bytes */
export function md5(bytes) {
  return createHash('md5').update(bytes).digest('hex');
}
