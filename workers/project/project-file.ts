import {BlobReader, BlobWriter, TextWriter, Uint8ArrayWriter, ZipReader, ZipWriter, type Entry, type FileEntry} from '@zip.js/zip.js';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {FeatureSpec, ImportOptions, ProjectPage, WeightsRecord} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import type {CheckpointManifest, StoredTensor} from '../training/checkpoint-store.ts';
import type {StoredHead} from '../training/head-store.ts';

export const PROJECT_FORMAT = 'transfer-lab-project';
export const PROJECT_SCHEMA = 1;

/** project.json: what the project holds, and everything small. */
export interface ProjectRecord {
  format: typeof PROJECT_FORMAT;
  schema: number;
  appVersion: string;
  savedAt: number;
  dataset: {name: string; id: string; options: ImportOptions};
  weights: WeightsRecord | null;
  page: ProjectPage;
  head: Omit<StoredHead, 'weights'> | null;
  checkpoint: CheckpointManifest | null;
  /** Features of these images (by content hash), in this order, for this spec. */
  features: {spec: FeatureSpec; hashes: string[]} | null;
}

export interface ProjectContents {
  record: ProjectRecord;
  /** The dataset zip, as it was dropped. */
  dataset: Blob;
  headWeights: StoredTensor[] | null;
  checkpoint: {weights: StoredTensor[]; optimizer: StoredTensor[]} | null;
  /** One per `record.features.hashes`. */
  features: Float32Array[] | null;
}

/** Where each part lives in the zip. */
const PATH = {
  record: 'project.json',
  dataset: 'dataset.zip',
  head: 'head',
  checkpointWeights: 'checkpoint/weights',
  checkpointOptimizer: 'checkpoint/optimizer',
  features: 'features.bin',
} as const;

interface TensorIndexEntry {
  name: string;
  shape: number[];
  dtype: StoredTensor['dtype'];
  byteOffset: number;
  byteLength: number;
}

/**
 * Writes the project as one zip: project.json, the dataset zip as it was
 * dropped, each tensor list as `<name>.json` (names, shapes, offsets) plus
 * `<name>.bin`, and the features as one `features.bin`. Binary parts are
 * stored, not compressed: floats and a zip barely shrink, and storing keeps
 * saving as fast as the disk. Into `out` (a file being written) when given;
 * else the result is a Blob.
 */
export async function writeProjectFile(
  contents: ProjectContents,
  out: WritableStream<Uint8Array> | null,
  {signal, onBytes}: {signal?: AbortSignal; onBytes?: (done: number, total: number) => void} = {},
): Promise<Blob | null> {
  const blobWriter = out ? null : new BlobWriter('application/zip');
  const zip = new ZipWriter<Blob>(out ?? blobWriter!, {level: 0, signal});
  const parts: Array<[string, Blob, boolean]> = [[PATH.record, new Blob([JSON.stringify(contents.record)]), true], [PATH.dataset, contents.dataset, false]];
  const addTensors = (path: string, tensors: StoredTensor[]) => {
    const {index, data} = packTensors(tensors);
    parts.push([`${path}.json`, new Blob([JSON.stringify(index)]), true], [`${path}.bin`, data, false]);
  };
  if (contents.headWeights) addTensors(PATH.head, contents.headWeights);
  if (contents.checkpoint) {
    addTensors(PATH.checkpointWeights, contents.checkpoint.weights);
    addTensors(PATH.checkpointOptimizer, contents.checkpoint.optimizer);
  }
  if (contents.features) parts.push([PATH.features, new Blob(contents.features as BlobPart[]), false]);
  const total = parts.reduce((sum, [, blob]) => sum + blob.size, 0);
  let before = 0;
  for (const [path, blob, deflate] of parts) {
    throwIfCancelled(signal);
    await zip.add(path, new BlobReader(blob), {
      level: deflate ? 6 : 0,
      onprogress: async (done) => onBytes?.(before + done, total),
    });
    before += blob.size;
  }
  await zip.close();
  onBytes?.(total, total);
  return blobWriter ? blobWriter.getData() : null;
}

/** Reads a project file back, checking that it is one and that every part it names is there and whole. */
export async function readProjectFile(file: Blob, {signal}: {signal?: AbortSignal} = {}): Promise<ProjectContents> {
  const reader = new ZipReader(new BlobReader(file), {checkCrc32: true, signal});
  try {
    let entries: Entry[];
    try {
      entries = await reader.getEntries();
    } catch (err) {
      throwIfCancelled(signal);
      throw unreadable(`it is not a zip, or it is damaged (${(err as Error).message})`);
    }
    const files = new Map(entries.filter((e): e is FileEntry => !e.directory).map((e) => [e.filename, e]));
    const entry = (path: string): FileEntry => {
      const found = files.get(path);
      if (!found) throw unreadable(`${path} is missing`);
      return found;
    };
    if (!files.has(PATH.record)) {
      throw unreadable('it has no project.json (a dataset zip goes in step 1; an exported model opens under "Use an exported model")');
    }
    const record = parseRecord(await entry(PATH.record).getData(new TextWriter(), {signal}));
    const dataset = await entry(PATH.dataset).getData(new BlobWriter('application/zip'), {signal});
    const tensors = async (path: string): Promise<StoredTensor[]> => {
      const index = JSON.parse(await entry(`${path}.json`).getData(new TextWriter(), {signal})) as TensorIndexEntry[];
      return unpackTensors(index, await entry(`${path}.bin`).getData(new Uint8ArrayWriter(), {signal}), path);
    };
    const headWeights = record.head ? await tensors(PATH.head) : null;
    const checkpoint = record.checkpoint
      ? {weights: await tensors(PATH.checkpointWeights), optimizer: await tensors(PATH.checkpointOptimizer)}
      : null;
    let features: Float32Array[] | null = null;
    if (record.features) {
      const bytes = await entry(PATH.features).getData(new Uint8ArrayWriter(), {signal});
      const count = record.features.hashes.length;
      if (count === 0 || bytes.byteLength % (count * 4) !== 0) throw unreadable(`${PATH.features} does not hold ${count} feature vectors`);
      const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const length = all.length / count;
      features = record.features.hashes.map((_, i) => all.slice(i * length, (i + 1) * length));
    }
    return {record, dataset, headWeights, checkpoint, features};
  } catch (err) {
    throwIfCancelled(signal);
    if (err instanceof NamedError) throw err;
    throw unreadable(`a part could not be read (${(err as Error).message})`);
  } finally {
    await reader.close().catch(() => {});
  }
}

function parseRecord(text: string): ProjectRecord {
  let record: ProjectRecord;
  try {
    record = JSON.parse(text) as ProjectRecord;
  } catch {
    throw unreadable('its project.json is not JSON');
  }
  if (record?.format !== PROJECT_FORMAT) throw unreadable('its project.json is not a Transfer Lab project');
  if (record.schema > PROJECT_SCHEMA) {
    throw unreadable(`it was saved by a newer version of Transfer Lab (${record.appVersion}, project schema ${record.schema}); this one reads schema ${PROJECT_SCHEMA}`);
  }
  if (typeof record.dataset?.name !== 'string' || typeof record.dataset.id !== 'string' || typeof record.page !== 'object') {
    throw unreadable('its project.json lacks the dataset or the settings');
  }
  return record;
}

function packTensors(tensors: StoredTensor[]): {index: TensorIndexEntry[]; data: Blob} {
  let byteOffset = 0;
  const index = tensors.map(({name, shape, dtype, data}) => {
    const entry = {name, shape, dtype, byteOffset, byteLength: data.byteLength};
    byteOffset += data.byteLength;
    return entry;
  });
  return {index, data: new Blob(tensors.map((t) => t.data))};
}

function unpackTensors(index: TensorIndexEntry[], bytes: Uint8Array, path: string): StoredTensor[] {
  return index.map(({name, shape, dtype, byteOffset, byteLength}) => {
    const elements = shape.reduce((a, b) => a * b, 1);
    if (byteLength !== elements * 4 || byteOffset + byteLength > bytes.byteLength || (dtype !== 'float32' && dtype !== 'int32')) {
      throw unreadable(`${path}.bin does not hold ${name} (${shape.join('×')} ${dtype})`);
    }
    return {name, shape, dtype, data: bytes.slice(byteOffset, byteOffset + byteLength).buffer};
  });
}

const unreadable = (why: string) => new NamedError(ErrorName.ProjectUnreadable, `This file cannot be opened as a project: ${why}.`);

