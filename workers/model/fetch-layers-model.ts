import type * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {concatBuffers, type WeightsBundle} from './weights-bundle.ts';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Reads the weights of a tfjs layers model (model.json + binary shards).
 * Only the weights manifest matters: the conv base is built in code, so a
 * topology from another converter version cannot break loading. A
 * `userDefinedMetadata.label` string (tfjs's field for extra facts) is how a
 * model says what it is, e.g. the demo's "pre-trained on Fashion-MNIST".
 */
export async function fetchLayersModelWeights(url: string, fetchFn: FetchFn = fetch): Promise<WeightsBundle & {label?: string}> {
  const modelJson = await fetchOk(url, fetchFn);
  // Dev servers and SPAs answer a missing file with their index.html and status 200.
  if (modelJson.headers.get('content-type')?.includes('text/html')) {
    throw new NamedError(ErrorName.WeightsUnreadable, `${url} is an HTML page, not a model.json: the file is probably missing.`);
  }
  let manifest: tf.io.WeightsManifestConfig;
  let label: unknown;
  try {
    const json = (await modelJson.json()) as {weightsManifest?: unknown; userDefinedMetadata?: {label?: unknown}};
    if (!isWeightsManifest(json.weightsManifest)) throw new Error('it has no valid "weightsManifest" (groups of paths and weights)');
    manifest = json.weightsManifest;
    label = json.userDefinedMetadata?.label;
  } catch (err) {
    throw new NamedError(ErrorName.WeightsUnreadable, `${url} is not a tfjs layers model.json: ${(err as Error).message}`);
  }
  const shards = manifest.flatMap((group) => group.paths.map((path) => new URL(path, url).href));
  const buffers = await Promise.all(
    shards.map(async (shard) => {
      const response = await fetchOk(shard, fetchFn);
      try {
        return await response.arrayBuffer();
      } catch (err) {
        throw new NamedError(ErrorName.WeightsUnreadable, `The download of ${shard} broke off: ${(err as Error).message}`);
      }
    }),
  );
  const bundle = {specs: manifest.flatMap((group) => group.weights), data: concatBuffers(buffers)};
  return typeof label === 'string' && label.trim() ? {...bundle, label: label.trim().slice(0, 200)} : bundle;
}

function isWeightsManifest(value: unknown): value is tf.io.WeightsManifestConfig {
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

async function fetchOk(url: string, fetchFn: FetchFn): Promise<Response> {
  let response: Response;
  try {
    response = await fetchFn(url);
  } catch (err) {
    throw new NamedError(ErrorName.WeightsUnreadable, `Could not fetch ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    throw new NamedError(ErrorName.WeightsUnreadable, `Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return response;
}
