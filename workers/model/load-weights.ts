import type {UseStore} from 'idb-keyval';
import {formatBytes} from '../../src/shared/format.ts';
import type {WeightsInfo, WeightsSource} from '../../src/shared/protocol.ts';
import {fetchLayersModelWeights, type FetchFn} from './fetch-layers-model.ts';
import {readCachedWeights, weightsStore, writeCachedWeights} from './weights-cache.ts';
import {
  assertVgg16Bundle,
  checkVgg16Bundle,
  randomVgg16Bundle,
  weightsId,
  type BundleCheck,
  type WeightsBundle,
} from './weights-bundle.ts';
import {VGG16_PARAM_COUNT} from './vgg16-layout.ts';

/**
 * Checked weights, kept as bytes rather than tensors: each backend builds
 * its own model from them, so no tensor ever has to move between backends.
 */
export interface LoadedWeights {
  bundle: WeightsBundle;
  info: WeightsInfo;
}

export interface LoadDeps {
  fetchFn?: FetchFn;
  store?: UseStore;
}

/**
 * Loads VGG16 conv-base weights. A URL is fetched once: the bytes go to
 * IndexedDB, and later loads of the same URL read them from there without
 * touching the network (so a reload, or a classroom offline, needs no download).
 */
export async function loadVgg16Weights(source: WeightsSource, deps: LoadDeps = {}): Promise<LoadedWeights> {
  if (source.kind === 'random') {
    const bundle = randomVgg16Bundle(source.seed);
    return {
      bundle,
      info: {
        id: `random-he-uniform:${source.seed}`,
        origin: 'generated',
        label: `Random weights (He-uniform, seed ${source.seed}): no transfer`,
        bytes: bundle.data.byteLength,
        params: VGG16_PARAM_COUNT,
        ignored: [],
        cached: false,
      },
    };
  }
  const store = deps.store ?? weightsStore();
  const url = source.url;
  if (!source.refresh) {
    const cached = await readCachedWeights(url, store).catch(() => undefined);
    // A cached entry is trusted only if it still passes the checks; else fetch again.
    const check = cached && checkOrNull(cached);
    if (cached && check) {
      return fromBundle(cached, check.ignored, {id: cached.id, url, origin: 'indexeddb', cached: true});
    }
  }
  const bundle = await fetchLayersModelWeights(url, deps.fetchFn);
  const {ignored} = assertVgg16Bundle(bundle, url);
  const id = await weightsId(bundle.data);
  try {
    await writeCachedWeights({id, url, specs: bundle.specs, data: bundle.data}, store);
    return fromBundle(bundle, ignored, {id, url, origin: 'network', cached: true});
  } catch (err) {
    // The weights are loaded either way; only the offline copy is missing.
    const cacheProblem = `IndexedDB could not keep a ${formatBytes(bundle.data.byteLength)} copy (${(err as Error).name}: ${(err as Error).message})`;
    return fromBundle(bundle, ignored, {id, url, origin: 'network', cached: false, cacheProblem});
  }
}

/** The check's result if the bundle passes, null if it fails or cannot even be checked. */
function checkOrNull(bundle: WeightsBundle): BundleCheck | null {
  try {
    const check = checkVgg16Bundle(bundle);
    return check.problems.length === 0 ? check : null;
  } catch {
    return null;
  }
}

function fromBundle(
  bundle: WeightsBundle,
  ignored: string[],
  meta: Pick<WeightsInfo, 'id' | 'url' | 'origin' | 'cached' | 'cacheProblem'>,
): LoadedWeights {
  return {
    bundle,
    info: {
      ...meta,
      label: `tfjs layers model from ${meta.url}`,
      bytes: bundle.data.byteLength,
      params: VGG16_PARAM_COUNT,
      ignored,
    },
  };
}
