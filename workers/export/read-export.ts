import * as tf from '@tensorflow/tfjs';
import type {FileEntry} from '@zip.js/zip.js';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {EXPORT_FILES, type ExportMetadata} from '../../src/shared/protocol/index.ts';
import {isJunkPath} from '../dataset/archive-paths.ts';
import {DEFAULT_LIMITS} from '../dataset/import-limits.ts';
import {openArchive, readEntry} from '../dataset/zip-archive.ts';
import {isWeightsManifest} from '../model/fetch-layers-model.ts';
import {BYTES_PER_ELEMENT} from '../model/weights-bundle.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {parseMetadata} from './export-metadata.ts';

export interface ExportJob {
  signal?: AbortSignal;
  /** Bytes of the tfjs weights read so far, of all. */
  onBytes?: (done: number, total: number) => void;
}

export interface ReadExport {
  metadata: ExportMetadata;
  /** The tfjs model as tf.io.fromMemory takes it: topology, weight specs, the shards' bytes. */
  artifacts: tf.io.ModelArtifacts;
}

/**
 * Reads an exported zip (as dropped, maybe re-zipped inside one folder)
 * and checks it before anything is built: a zip at all, an export at all
 * (metadata.json and tfjs/model.json), metadata of this schema, a
 * model.json with a topology and a weights manifest, and every shard it
 * lists present with exactly the bytes the manifest declares. Each failure
 * is a named error: NotAnExportError, ExportVersionError, or
 * ExportDamagedError with `details.code` ('metadata', 'model-json', 'shards').
 */
export async function readExport(file: Blob, {signal, onBytes}: ExportJob = {}): Promise<ReadExport> {
  const archive = await openArchive(file, DEFAULT_LIMITS, signal).catch((err: unknown) => {
    if (hasErrorName(err, ErrorName.NotAZip)) throw new NamedError(ErrorName.NotAnExport, 'This file is not a zip: drop the .zip of an exported model.');
    throw err;
  });
  try {
    const entries = new Map(archive.files.filter((e) => !isJunkPath(e.filename)).map((e) => [e.filename, e]));
    const root = exportRoot(entries);
    const metadataEntry = entries.get(root + EXPORT_FILES.metadata);
    const modelEntry = entries.get(root + EXPORT_FILES.tfjs);
    if (!metadataEntry) {
      throw new NamedError(
        ErrorName.NotAnExport,
        `This zip has no ${EXPORT_FILES.metadata}${modelEntry ? '' : ` and no ${EXPORT_FILES.tfjs}`}: it is not a model exported by Transfer Lab (a dataset zip goes to step 1).`,
      );
    }
    const metadata = parseMetadata(await text(metadataEntry, signal));
    if (!modelEntry) throw damaged('model-json', `The export has no ${EXPORT_FILES.tfjs}.`);
    const {modelTopology, weightsManifest} = parseModelJson(await text(modelEntry, signal));
    const folder = root + EXPORT_FILES.tfjs.slice(0, EXPORT_FILES.tfjs.lastIndexOf('/') + 1);
    const shards = weightsManifest.flatMap((group) => group.paths).map((path) => {
      const entry = entries.get(resolvePath(folder, path));
      if (!entry) throw damaged('shards', `${EXPORT_FILES.tfjs} lists the weights file "${path}", which is not in the zip.`);
      return entry;
    });
    const weightSpecs = weightsManifest.flatMap((group) => group.weights);
    const declared = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype] ?? NaN), 0);
    const held = shards.reduce((sum, e) => sum + e.uncompressedSize, 0);
    if (held !== declared) {
      throw damaged('shards', `The weights files hold ${held} bytes but ${EXPORT_FILES.tfjs} declares ${declared}: they do not belong together.`);
    }
    const weightData: ArrayBuffer[] = [];
    let done = 0;
    onBytes?.(0, held);
    for (const entry of shards) {
      throwIfCancelled(signal);
      const bytes = await readEntry(entry, signal);
      weightData.push(bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer));
      done += bytes.byteLength;
      onBytes?.(done, held);
    }
    return {metadata, artifacts: {modelTopology, weightSpecs, weightData, format: 'layers-model'}};
  } finally {
    await archive.close().catch(() => {});
  }
}

/**
 * Builds the tfjs model from the zip's bytes (nothing is fetched), on the
 * current backend, and checks that it takes the input and gives the output
 * the metadata describes. This is what `tf.loadLayersModel(tf.io.fromMemory(…))`
 * does, in its two steps, because when the weights do not fit the topology
 * it throws with the new model's variables and the decoded weights still
 * alive (tfjs-layers 4.22, models.ts loadLayersModelFromIOHandler): here
 * both are disposed.
 */
export async function loadExportModel({metadata, artifacts}: ReadExport): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({modelTopology: zeroInitialized(artifacts.modelTopology as object)} as Parameters<typeof tf.models.modelFromJSON>[0]);
  } catch (err) {
    throw damaged('model-json', `${EXPORT_FILES.tfjs} does not describe a model tfjs can build (${(err as Error).message}).`);
  }
  try {
    const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    try {
      model.loadWeights(weights, true);
    } finally {
      tf.dispose(weights); // the variables keep their own reference
    }
  } catch (err) {
    model.dispose();
    throw damaged('model-json', `The weights do not fit the model ${EXPORT_FILES.tfjs} describes (${(err as Error).message}).`);
  }
  const input = model.inputs[0]!.shape.slice(1).join('×');
  const units = model.outputs[0]!.shape.at(-1);
  const size = metadata.input.height;
  const expectedUnits = metadata.classes.length === 2 ? 1 : metadata.classes.length;
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input !== `${size}×${size}×3` || units !== expectedUnits) {
    model.dispose();
    throw damaged(
      'metadata',
      `${EXPORT_FILES.metadata} and ${EXPORT_FILES.tfjs} disagree: the model takes ${input} and gives ${units} output(s); the metadata says ${size}×${size}×3 and ${metadata.classes.length} classes.`,
    );
  }
  return model;
}

/**
 * The topology with every initializer replaced by zeros: the weights
 * overwrite them at once, and drawing 15 M random numbers for VGG16 first
 * would only cost time (tfjs's own loader skips them the same way).
 */
function zeroInitialized(topology: object): object {
  return JSON.parse(JSON.stringify(topology), (key, value) => (key.endsWith('_initializer') && value !== null ? {class_name: 'Zeros', config: {}} : value));
}

/** '' when metadata.json is at the top, or the one folder the whole export sits in (a re-zipped folder). */
function exportRoot(entries: ReadonlyMap<string, FileEntry>): string {
  if (entries.has(EXPORT_FILES.metadata) || entries.has(EXPORT_FILES.tfjs)) return '';
  const tops = new Set([...entries.keys()].map((name) => name.split('/')[0]));
  const [top] = tops;
  return tops.size === 1 && top !== undefined ? `${top}/` : '';
}

function parseModelJson(text: string): {modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig} {
  let json: {modelTopology?: unknown; weightsManifest?: unknown};
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw damaged('model-json', `${EXPORT_FILES.tfjs} is not valid JSON (${(err as Error).message}).`);
  }
  if (typeof json?.modelTopology !== 'object' || json.modelTopology === null) {
    throw damaged('model-json', `${EXPORT_FILES.tfjs} has no model topology: it holds weights only, not a model.`);
  }
  if (!isWeightsManifest(json.weightsManifest)) throw damaged('model-json', `${EXPORT_FILES.tfjs} has no valid weights manifest.`);
  return {modelTopology: json.modelTopology, weightsManifest: json.weightsManifest};
}

/** A manifest path (relative to model.json's folder, as URLs are) as an entry name. */
function resolvePath(folder: string, path: string): string {
  return decodeURIComponent(new URL(path, `zip:///${folder}`).pathname.slice(1));
}

async function text(entry: FileEntry, signal?: AbortSignal): Promise<string> {
  if (entry.uncompressedSize > MAX_JSON_BYTES) throw damaged(entry.filename.endsWith(EXPORT_FILES.metadata) ? 'metadata' : 'model-json', `${entry.filename} is too large to be one.`);
  return new TextDecoder().decode(await readEntry(entry, signal));
}

function damaged(code: 'metadata' | 'model-json' | 'shards', message: string): NamedError {
  return new NamedError(ErrorName.ExportDamaged, message, {code});
}

/** metadata.json and model.json are a few kB; a huge one is not what it claims. */
const MAX_JSON_BYTES = 16 * 2 ** 20;
