import type * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {PREPROCESSINGS, RESIZE_METHODS, type FeatureDefaults} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {MIN_INPUT_SIZE} from './vgg16-layout.ts';
import {concatBuffers, type WeightsBundle} from './weights-bundle.ts';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface FetchJob {
  fetchFn?: FetchFn;
  signal?: AbortSignal;
  /** Bytes of the shards received so far, of the total the manifest promises. */
  onBytes?: (received: number, total: number) => void;
}

/** What a model.json says about itself besides its weights. */
export interface ModelFacts {
  /** `userDefinedMetadata.label`: how the UI names the weights (e.g. the demo's "pre-trained on Fashion-MNIST"). */
  label?: string;
  /** `userDefinedMetadata.inputSize`, `.preprocessing`, `.resize`: what the weights were trained with. */
  defaults: FeatureDefaults;
}

/**
 * Reads the weights of a tfjs layers model (model.json + binary shards).
 * Only the weights manifest matters: the conv base is built in code, so a
 * topology from another converter version cannot break loading.
 * `userDefinedMetadata` (tfjs's field for extra facts) names the weights and
 * says how their images were prepared. The shards stream in, so progress
 * is reported as bytes arrive and a cancel stops the download.
 */
export async function fetchLayersModelWeights(url: string, job: FetchJob = {}): Promise<WeightsBundle & ModelFacts> {
  const fetchFn = job.fetchFn ?? fetch;
  const modelJson = await fetchOk(url, fetchFn, job.signal);
  // Dev servers and SPAs answer a missing file with their index.html and status 200.
  if (modelJson.headers.get('content-type')?.includes('text/html')) {
    throw new NamedError(ErrorName.WeightsUnreadable, `${url} is an HTML page, not a model.json: the file is probably missing.`);
  }
  let manifest: tf.io.WeightsManifestConfig;
  let metadata: Record<string, unknown>;
  try {
    const json = (await modelJson.json()) as {weightsManifest?: unknown; userDefinedMetadata?: unknown};
    if (!isWeightsManifest(json.weightsManifest)) throw new Error('it has no valid "weightsManifest" (groups of paths and weights)');
    manifest = json.weightsManifest;
    metadata = typeof json.userDefinedMetadata === 'object' && json.userDefinedMetadata !== null ? (json.userDefinedMetadata as Record<string, unknown>) : {};
  } catch (err) {
    throw new NamedError(ErrorName.WeightsUnreadable, `${url} is not a tfjs layers model.json: ${(err as Error).message}`);
  }
  const specs = manifest.flatMap((group) => group.weights);
  const total = specs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const shards = manifest.flatMap((group) => group.paths.map((path) => new URL(path, url).href));
  const received = new Array<number>(shards.length).fill(0);
  const tell = () => job.onBytes?.(received.reduce((a, b) => a + b, 0), total);
  tell();
  const buffers = await Promise.all(
    shards.map(async (shard, k) => {
      const response = await fetchOk(shard, fetchFn, job.signal);
      try {
        return await readBody(response, job.signal, (bytes) => {
          received[k] = bytes;
          tell();
        });
      } catch (err) {
        throwIfCancelled(job.signal);
        throw new NamedError(ErrorName.WeightsUnreadable, `The download of ${shard} broke off: ${(err as Error).message}`);
      }
    }),
  );
  const label = typeof metadata.label === 'string' && metadata.label.trim() ? metadata.label.trim().slice(0, 200) : undefined;
  return {specs, data: concatBuffers(buffers), defaults: featureDefaults(metadata), ...(label ? {label} : {})};
}

/** The settings a model.json's metadata names, each kept only if it is one the app can use. */
export function featureDefaults(metadata: Record<string, unknown>): FeatureDefaults {
  const defaults: FeatureDefaults = {};
  const {inputSize, preprocessing, resize} = metadata;
  if (typeof inputSize === 'number' && Number.isInteger(inputSize) && inputSize >= MIN_INPUT_SIZE && inputSize <= 512) defaults.inputSize = inputSize;
  if (PREPROCESSINGS.includes(preprocessing as never)) defaults.preprocessing = preprocessing as FeatureDefaults['preprocessing'];
  if (RESIZE_METHODS.includes(resize as never)) defaults.resize = resize as FeatureDefaults['resize'];
  return defaults;
}

/** The body, read chunk by chunk (so progress shows and a cancel lands mid-download). */
async function readBody(response: Response, signal: AbortSignal | undefined, onBytes: (bytes: number) => void): Promise<ArrayBuffer> {
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onBytes(buffer.byteLength);
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks: ArrayBuffer[] = [];
  let bytes = 0;
  try {
    for (;;) {
      throwIfCancelled(signal);
      const {done, value} = await reader.read();
      if (done) break;
      chunks.push(value.buffer.byteLength === value.byteLength ? (value.buffer as ArrayBuffer) : (value.slice().buffer as ArrayBuffer));
      bytes += value.byteLength;
      onBytes(bytes);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBuffers(chunks);
}

export function isWeightsManifest(value: unknown): value is tf.io.WeightsManifestConfig {
  return (
    Array.isArray(value) &&
    value.every(
      (group) =>
        Array.isArray(group?.paths) &&
        group.paths.every((p: unknown) => typeof p === 'string') &&
        Array.isArray(group.weights) &&
        group.weights.every((w: {name?: unknown; shape?: unknown}) => typeof w?.name === 'string' && Array.isArray(w.shape)),
    )
  );
}

async function fetchOk(url: string, fetchFn: FetchFn, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url, signal ? {signal} : undefined);
  } catch (err) {
    throwIfCancelled(signal);
    throw new NamedError(ErrorName.WeightsUnreadable, `Could not fetch ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    throw new NamedError(ErrorName.WeightsUnreadable, `Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return response;
}
