import type {UseStore} from 'idb-keyval';
import {formatBytes} from '../../src/shared/format.ts';
import {VGG16_WIDTHS, type Progress, type WeightsInfo, type WeightsSource} from '../../src/shared/protocol/index.ts';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {fetchLayersModelWeights, type FetchFn} from './fetch-layers-model.ts';
import {storageReport} from '../storage/database.ts';
import {readCachedWeights, weightsStore, writeCachedWeights, type CachedWeights} from './weights-cache.ts';
import {
  assertVgg16Bundle,
  checkVgg16Bundle,
  randomVgg16Bundle,
  weightsId,
  type BundleCheck,
  type WeightsBundle,
} from './weights-bundle.ts';
import {describeWidths, isVgg16Widths, paramCount, type VggWidths} from './vgg16-layout.ts';

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
  signal?: AbortSignal;
  /** Bytes downloaded (or read from the file), then the copy kept. */
  onProgress?: Listener<Progress>;
}

/**
 * Loads VGG16 conv-base weights. A URL is fetched once: the bytes go to
 * IndexedDB, and later loads of the same URL read them from there without
 * touching the network (so a reload, or a classroom offline, needs no download).
 */
export async function loadVgg16Weights(source: WeightsSource, deps: LoadDeps = {}): Promise<LoadedWeights> {
  if (source.kind === 'random') return randomWeights(source.seed, source.widths ?? VGG16_WIDTHS);
  const store = deps.store ?? weightsStore();
  const stage = (name: 'download' | 'read' | 'store') => {
    const report = progressReporter('weights', deps.onProgress);
    return (done: number, total: number) => report(done, total, {stage: name});
  };
  if (source.kind === 'file') return loadFile(source.file, store, stage, deps.signal);
  if (source.kind === 'stored') {
    const kept = await readKept(storedKey(source.id), store);
    if (!kept) throw new NamedError(ErrorName.WeightsUnreadable, 'Those weights are no longer kept in this browser: load the file again.');
    return fromKept(kept);
  }
  const url = source.url;
  const kept = source.refresh ? null : await readKept(url, store);
  if (kept) return fromKept(kept, url);
  const {label, defaults, ...bundle} = await fetchLayersModelWeights(url, {fetchFn: deps.fetchFn, signal: deps.signal, onBytes: stage('download')});
  const check = assertVgg16Bundle(bundle, url);
  const id = await weightsId(bundle.data);
  throwIfCancelled(deps.signal);
  const storing = stage('store');
  storing(0, bundle.data.byteLength);
  const copy = await keep(url, {id, url, specs: bundle.specs, data: bundle.data, defaults, ...(label ? {label} : {})}, store);
  storing(bundle.data.byteLength, bundle.data.byteLength);
  return fromBundle(bundle, check, {id, url, origin: 'network', defaults, ...copy}, label);
}

function fromKept({entry, check}: {entry: CachedWeights; check: BundleCheck}, url?: string): LoadedWeights {
  const meta = {id: entry.id, origin: 'indexeddb', cached: true, savedAt: entry.savedAt, defaults: entry.defaults ?? {}} as const;
  return fromBundle(entry, check, url ? {...meta, url} : meta, entry.label);
}

function randomWeights(seed: number, widths: VggWidths): LoadedWeights {
  if (widths.length !== VGG16_WIDTHS.length || !widths.every((w) => Number.isInteger(w) && w > 0 && w <= 4096)) {
    throw new NamedError(ErrorName.InvalidRequest, `Random weights need five block widths (whole numbers from 1 to 4096); got [${widths.join(', ')}].`);
  }
  const bundle = randomVgg16Bundle(seed, widths);
  const variant = isVgg16Widths(widths) ? '' : `${describeWidths(widths)}:`;
  return {
    bundle,
    info: {
      id: `random-he-uniform:${variant}${seed}`,
      origin: 'generated',
      label: `Random weights (He-uniform, seed ${seed}${variant ? `, widths ${describeWidths(widths)}` : ''}): no transfer`,
      bytes: bundle.data.byteLength,
      params: paramCount(widths),
      widths: [...widths],
      ignored: [],
      cached: false,
      defaults: {},
    },
  };
}

/** A kept entry, trusted only if it still passes the checks (else it reads as a miss). */
async function readKept(key: string, store: UseStore): Promise<{entry: CachedWeights; check: BundleCheck} | null> {
  const entry = await readCachedWeights(key, store).catch(() => undefined);
  const check = entry && checkOrNull(entry);
  return entry && check ? {entry, check} : null;
}

/** Keeps a copy for the next visit; the weights are loaded either way, so a failure is reported, not thrown. */
async function keep(key: string, entry: Omit<CachedWeights, 'schema' | 'savedAt'>, store: UseStore): Promise<Pick<WeightsInfo, 'cached' | 'cacheProblem'>> {
  try {
    await writeCachedWeights(entry, store, key);
    // Written to memory where the frame may not store anything: not a copy for the next visit.
    return {cached: (await storageReport()).persistent};
  } catch (err) {
    return {cached: false, cacheProblem: `IndexedDB could not keep a ${formatBytes(entry.data.byteLength)} copy (${(err as Error).name}: ${(err as Error).message})`};
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
/** File loads are kept under their weights' id. */
const storedKey = (id: string) => `file:${id}`;

type Stage = (name: 'read' | 'store') => (done: number, total: number) => void;

/** A dropped Keras .h5: read, checked, kept in IndexedDB under its id so a reload needs no file. */
async function loadFile(file: File, store: UseStore, stage: Stage, signal?: AbortSignal): Promise<LoadedWeights> {
  const reading = stage('read');
  reading(0, file.size);
  const bytes = await file.arrayBuffer();
  reading(file.size, file.size);
  const head = new Uint8Array(bytes, 0, Math.min(8, bytes.byteLength));
  if (!HDF5_SIGNATURE.every((b, i) => head[i] === b)) {
    throw new NamedError(
      ErrorName.WeightsUnreadable,
      `${file.name} is not an HDF5 file. Drop Keras's VGG16 weights (.h5); for a tfjs model.json, give its URL instead.`,
    );
  }
  // h5wasm (with its own 3 MB of wasm) loads only when someone drops an .h5.
  const {readKerasH5} = await import('./keras-h5.ts');
  const bundle = await readKerasH5(bytes);
  const check = assertVgg16Bundle(bundle, file.name);
  const id = await weightsId(bundle.data);
  const label = `Keras HDF5 file ${file.name}`;
  throwIfCancelled(signal);
  const storing = stage('store');
  storing(0, bundle.data.byteLength);
  const kept = await keep(storedKey(id), {id, url: storedKey(id), label, specs: bundle.specs, data: bundle.data}, store);
  storing(bundle.data.byteLength, bundle.data.byteLength);
  return fromBundle(bundle, check, {id, origin: 'file', defaults: {}, ...kept}, label);
}

function fromBundle(
  bundle: WeightsBundle,
  {widths, ignored}: BundleCheck,
  meta: Pick<WeightsInfo, 'id' | 'url' | 'origin' | 'cached' | 'cacheProblem' | 'savedAt' | 'defaults'>,
  label = `tfjs layers model from ${meta.url}`,
): LoadedWeights {
  return {
    bundle,
    info: {
      ...meta,
      label,
      bytes: bundle.data.byteLength,
      params: paramCount(widths),
      widths: [...widths],
      ignored,
    },
  };
}
