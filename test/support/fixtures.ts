import {mulberry32} from '../../src/shared/random.ts';
import type {WeightsBundle} from '../../workers/model/weights-bundle.ts';

/**
 * `count` RGB images of `size`×`size`: smooth colour gradients plus seeded
 * noise, so every image differs and activations are not trivially zero.
 */
export function makeImages(count: number, size: number, seed = 1): Uint8Array {
  const random = mulberry32(seed);
  const pixels = new Uint8Array(count * size * size * 3);
  let i = 0;
  for (let n = 0; n < count; n++) {
    const phase = random() * Math.PI * 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          const wave = 127 + 100 * Math.sin(phase + (x * (c + 1)) / size * 6 + (y * (3 - c)) / size * 4);
          pixels[i++] = Math.max(0, Math.min(255, Math.round(wave + (random() - 0.5) * 40)));
        }
      }
    }
  }
  return pixels;
}

export interface ServedModel {
  /** URL of model.json. */
  url: string;
  /** A fetch that serves the model from memory and counts requests; other URLs get 404. */
  fetchFn: (input: string) => Promise<Response>;
  requests: string[];
}

/** How fast a served shard arrives: `chunkBytes` every `everyMs`, as over a network. Default: all at once. */
export interface Pace {
  chunkBytes: number;
  everyMs: number;
}

/**
 * A tfjs layers model.json with the bundle's weights split into shards,
 * served by an in-memory fetch (no network in tests).
 */
export function serveLayersModel(bundle: WeightsBundle, baseUrl: string, shardBytes = 4 * 1024 * 1024, label?: string, pace?: Pace): ServedModel {
  const files = new Map<string, Blob | string>();
  const paths: string[] = [];
  for (let offset = 0, k = 1; offset < bundle.data.byteLength; offset += shardBytes, k++) {
    const name = `group1-shard${k}.bin`;
    paths.push(name);
    files.set(new URL(name, baseUrl).href, new Blob([bundle.data.slice(offset, offset + shardBytes)]));
  }
  const url = new URL('model.json', baseUrl).href;
  files.set(url, JSON.stringify(modelJson(bundle, paths, label)));
  const requests: string[] = [];
  return {
    url,
    requests,
    fetchFn: async (input: string) => {
      requests.push(input);
      const body = files.get(input);
      if (body === undefined) return new Response('not found', {status: 404});
      return new Response(pace && body instanceof Blob ? pacedStream(body, pace) : body);
    },
  };
}

/** The blob's bytes as a stream that yields a chunk every `pace.everyMs`. */
function pacedStream(blob: Blob, {chunkBytes, everyMs}: Pace): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= blob.size) return controller.close();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      controller.enqueue(new Uint8Array(await blob.slice(offset, offset + chunkBytes).arrayBuffer()));
      offset += chunkBytes;
    },
  });
}

/**
 * The same model published as blob: URLs (model.json's shard paths are
 * absolute blob URLs), so a real worker can fetch it. Revoke when done.
 */
export function publishLayersModel(bundle: WeightsBundle): {url: string; revoke: () => void} {
  const shard = URL.createObjectURL(new Blob([bundle.data]));
  const url = URL.createObjectURL(new Blob([JSON.stringify(modelJson(bundle, [shard]))], {type: 'application/json'}));
  return {url, revoke: () => [shard, url].forEach((u) => URL.revokeObjectURL(u))};
}

function modelJson(bundle: WeightsBundle, paths: string[], label?: string) {
  return {
    format: 'layers-model',
    generatedBy: 'transfer-lab test fixtures',
    modelTopology: null,
    weightsManifest: [{paths, weights: bundle.specs}],
    ...(label ? {userDefinedMetadata: {label}} : {}),
  };
}
