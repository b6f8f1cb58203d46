import type {UseStore} from 'idb-keyval';
import {formatBytes} from '../../src/shared/format.ts';
import type {WeightsInfo, WeightsSource} from '../../src/shared/protocol.ts';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {fetchLayersModelWeights, type FetchFn} from './fetch-layers-model.ts';
import {readKerasH5} from './keras-h5.ts';
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
  if (source.kind === 'file') return loadFile(source.file, store);
  if (source.kind === 'stored') {
    const kept = await readCachedWeights(storedKey(source.id), store).catch(() => undefined);
    const check = kept && checkOrNull(kept);
    if (!kept || !check) throw new NamedError(ErrorName.WeightsUnreadable, 'Those weights are no longer kept in this browser: load the file again.');
    const label = `Keras HDF5 file ${kept.url.slice(storedKey(source.id).length)}`;
    return fromBundle(kept, check.ignored, {id: kept.id, origin: 'indexeddb', cached: true}, label);
  }
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

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** File loads are kept under this key prefix plus the weights' id (the file name follows, for labels). */
const storedKey = (id: string) => `file:${id}`;

/** A dropped Keras .h5: read, checked, kept in IndexedDB under its id so a reload needs no file. */
async function loadFile(file: File, store: UseStore): Promise<LoadedWeights> {
  const bytes = await file.arrayBuffer();
  const head = new Uint8Array(bytes, 0, Math.min(8, bytes.byteLength));
  if (!HDF5_SIGNATURE.every((b, i) => head[i] === b)) {
    throw new NamedError(
      ErrorName.WeightsUnreadable,
      `${file.name} is not an HDF5 file. Drop Keras's VGG16 weights (.h5); for a tfjs model.json, give its URL instead.`,
    );
  }
  const bundle = await readKerasH5(bytes);
  const {ignored} = assertVgg16Bundle(bundle, file.name);
  const id = await weightsId(bundle.data);
  const label = `Keras HDF5 file ${file.name}`;
  try {
    // The key carries the id; the url field keeps the name, for the label after a reload.
    await writeCachedWeights({id, url: `${storedKey(id)}${file.name}`, specs: bundle.specs, data: bundle.data}, store, storedKey(id));
    return fromBundle(bundle, ignored, {id, origin: 'file', cached: true}, label);
  } catch (err) {
    const cacheProblem = `IndexedDB could not keep a ${formatBytes(bundle.data.byteLength)} copy (${(err as Error).name}: ${(err as Error).message})`;
    return fromBundle(bundle, ignored, {id, origin: 'file', cached: false, cacheProblem}, label);
  }
}

function fromBundle(
  bundle: WeightsBundle,
  ignored: string[],
  meta: Pick<WeightsInfo, 'id' | 'url' | 'origin' | 'cached' | 'cacheProblem'>,
  label = `tfjs layers model from ${meta.url}`,
): LoadedWeights {
  return {
    bundle,
    info: {
      ...meta,
      label,
      bytes: bundle.data.byteLength,
      params: VGG16_PARAM_COUNT,
      ignored,
    },
  };
}
