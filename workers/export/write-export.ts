import * as tf from '@tensorflow/tfjs';
import {BlobWriter, TextReader, Uint8ArrayReader, ZipWriter} from '@zip.js/zip.js';
import {EXPORT_FILES, type ExportMetadata} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import type {KerasModelConfig} from './classifier-topology.ts';
import type {ExportWeight} from './classifier-weights.ts';

export interface ExportContents {
  topology: KerasModelConfig;
  /** In model order; views of the weights where they already are. */
  weights: readonly ExportWeight[];
  metadata: ExportMetadata;
  signal?: AbortSignal;
  /** Bytes written of the stage's total. */
  onProgress?: (stage: 'tfjs' | 'keras', done: number, total: number) => void;
  /** tfjs's own default shard size (4 MiB). */
  shardBytes?: number;
}

export interface WrittenExport {
  zip: Blob;
  bytes: {tfjsWeights: number; keras: number; zip: number};
}

/** Weights are float noise to deflate (a few per cent at best): stored as they are; JSON is deflated. */
const STORED = {level: 0};
const DEFLATED = {level: 6};

/**
 * The export zip: metadata.json, tfjs/model.json (topology and weights
 * manifest) with its binary shards, and keras/model.h5. Shards are cut from
 * the weights 4 MiB at a time and the .h5 is read out of wasm memory in
 * chunks, so besides the weights themselves only the growing zip (a Blob)
 * and one shard are held.
 */
export async function writeExportZip({topology, weights, metadata, signal, onProgress, shardBytes = 4 * 2 ** 20}: ExportContents): Promise<WrittenExport> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {useWebWorkers: false, signal});
  try {
    await writer.add(EXPORT_FILES.metadata, new TextReader(JSON.stringify(metadata, null, 2)), DEFLATED);

    const total = weights.reduce((sum, w) => sum + w.values.byteLength, 0);
    const shardCount = Math.max(1, Math.ceil(total / shardBytes));
    const paths = Array.from({length: shardCount}, (_, k) => `group1-shard${k + 1}of${shardCount}.bin`);
    const folder = EXPORT_FILES.tfjs.slice(0, EXPORT_FILES.tfjs.lastIndexOf('/') + 1);
    onProgress?.('tfjs', 0, total);
    let written = 0;
    let k = 0;
    for (const shard of shards(weights, shardBytes)) {
      throwIfCancelled(signal);
      await writer.add(folder + paths[k++], new Uint8ArrayReader(shard), STORED);
      written += shard.byteLength;
      onProgress?.('tfjs', written, total);
    }
    await writer.add(EXPORT_FILES.tfjs, new TextReader(JSON.stringify(modelJson(topology, weights, paths, metadata))), DEFLATED);

    throwIfCancelled(signal);
    // h5wasm (3 MB of wasm) loads only when a model is exported, as for a dropped .h5 (load-weights.ts).
    const {writeKerasModelH5} = await import('./keras-model-h5.ts');
    const h5 = await writeKerasModelH5(topology, weights);
    try {
      onProgress?.('keras', 0, h5.size);
      await writer.add(EXPORT_FILES.keras, h5.reader, {...STORED, onprogress: async (done) => onProgress?.('keras', done, h5.size)});
    } finally {
      h5.dispose();
    }
    onProgress?.('keras', h5.size, h5.size);
    const zip = await writer.close();
    return {zip, bytes: {tfjsWeights: total, keras: h5.size, zip: zip.size}};
  } catch (err) {
    await writer.close().catch(() => {});
    throwIfCancelled(signal); // zip.js rejects an aborted write with its own AbortError; ours is CancelledError
    throw err;
  }
}

/** The weights' bytes cut into shards of `size` (the last one shorter), made one at a time. */
function* shards(weights: readonly ExportWeight[], size: number): Generator<Uint8Array> {
  let shard = new Uint8Array(size);
  let filled = 0;
  for (const w of weights) {
    const bytes = new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength);
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(size - filled, bytes.length - at);
      shard.set(bytes.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield shard;
        shard = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield shard.subarray(0, filled);
}

/**
 * model.json as tfjs's `model.save()` writes it ("layers-model" with its
 * topology), so plain `tf.loadLayersModel` opens it. `userDefinedMetadata`
 * repeats how inputs are made, for readers of this file alone.
 */
function modelJson(topology: KerasModelConfig, weights: readonly ExportWeight[], paths: string[], metadata: ExportMetadata) {
  return {
    format: 'layers-model',
    generatedBy: `${metadata.app.name} ${metadata.app.version} (TensorFlow.js tfjs-layers v${tf.version_layers})`,
    convertedBy: null,
    modelTopology: {...topology, keras_version: `tfjs-layers ${tf.version_layers}`, backend: 'tensor_flow.js'},
    weightsManifest: [{paths, weights: weights.map((w) => ({name: w.name, shape: w.shape, dtype: 'float32'}))}],
    userDefinedMetadata: {
      classes: metadata.classes,
      inputSize: metadata.input.height,
      preprocessing: metadata.preprocessing.mode,
      resize: metadata.preprocessing.resize.method,
      seeMetadata: `../${EXPORT_FILES.metadata}`,
    },
  };
}
