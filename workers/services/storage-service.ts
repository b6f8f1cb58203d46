import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {
  StorageEstimateReport,
  StorageListing,
  StorageRemoval,
  StoredCheckpointItem,
  StoredDatasetItem,
  StoredFeaturesItem,
  StoredHeadItem,
  StoredItem,
  StoredWebcamItem,
  StoredWeightsItem,
  Unloaded,
} from '../../src/shared/protocol/index.ts';
import {assembleManifest} from '../dataset/assemble-manifest.ts';
import {deleteStoredDataset, loadStoredDataset} from '../dataset/dataset-store.ts';
import {deleteFeatureSet, listFeatureSets} from '../features/feature-cache.ts';
import {describeWidths, widthsOf} from '../model/vgg16-layout.ts';
import {deleteCachedWeights, listCachedWeights} from '../model/weights-cache.ts';
import type {Session} from '../session/session.ts';
import {storageReport} from '../storage/database.ts';
import {deleteOfflineWeightFiles, offlineWeightFiles, type OfflineFile} from '../storage/offline-cache.ts';
import {storedBytes} from '../storage/stored-bytes.ts';
import {deleteStoredHead, readStoredHead} from '../training/head-store.ts';
import {FrameStore} from '../webcam/frame-store.ts';

/**
 * What the steps keep in this browser, item by item: the dataset, each set
 * of features, each set of weights (with the service worker's copy of its
 * files), the head, the fine-tuning checkpoint and the webcam's frames; and
 * deleting one, which also unloads it from the session where the steps
 * were using it.
 */
export function createStorageService(session: Session, frames = new FrameStore()) {
  return {
    /**
     * Every kept item with its bytes, and the browser's estimate for the
     * whole site. Only reads: it does not wait for a running job.
     */
    async list(): Promise<StorageListing> {
      const [items, estimate, {persistent}] = await Promise.all([listItems(session, frames), estimateStorage(), storageReport()]);
      return {items, estimate, persistent};
    },

    /**
     * Deletes one item (by the id the list gave it) after any running job,
     * and says what the session gave up with it: the loaded dataset, the
     * weights in use, the head, the checkpoint of this dataset.
     */
    remove(id: string): Promise<StorageRemoval> {
      return session.serially(async () => {
        const item = (await listItems(session, frames)).find((i) => i.id === id);
        if (!item) throw new NamedError(ErrorName.InvalidRequest, 'That item is no longer kept (the list was out of date); nothing was deleted.');
        return {removed: item, unloaded: await removeItem(session, frames, item)};
      });
    },
  };
}

async function listItems(session: Session, frames: FrameStore): Promise<StoredItem[]> {
  const groups = await Promise.all([
    datasetItems(session),
    featureItems(session),
    weightsItems(session),
    headItems(session),
    checkpointItems(session),
    webcamItems(frames),
  ]);
  return groups.flat();
}

async function datasetItems(session: Session): Promise<StoredDatasetItem[]> {
  const stored = await loadStoredDataset();
  if (!stored) return [];
  const {manifest} = await assembleManifest(stored.scan, stored.options);
  const loaded = session.dataset.manifest();
  return [
    {
      kind: 'dataset',
      id: 'dataset:current',
      label: `${manifest.name}: ${manifest.images.length} images in ${manifest.classes.length} classes`,
      bytes: storedBytes(stored),
      savedAt: stored.savedAt,
      // By id: where nothing outlives the page the loaded manifest has no savedAt, though its copy in memory does.
      inUse: loaded?.id === manifest.id,
      datasetId: manifest.id,
      name: manifest.name,
      images: manifest.images.length,
    },
  ];
}

/** A set is in use when it holds the features of every image of the loaded dataset: step 3 trains on it. */
async function featureItems(session: Session): Promise<StoredFeaturesItem[]> {
  const loaded = session.dataset.manifest();
  const hashes = loaded ? new Set(loaded.images.map((image) => image.hash)) : null;
  return (await listFeatureSets()).map(({prefix, spec, hashes: kept, bytes}) => {
    const covers = hashes ? new Set(kept.filter((hash) => hashes.has(hash))).size : null;
    return {
      kind: 'features',
      id: `features:${prefix}`,
      label: spec ? `Features at ${spec.inputSize}×${spec.inputSize}, ${spec.resize}, ${spec.preprocessing}` : 'Features of an earlier version of the app (never read again)',
      bytes,
      savedAt: null,
      inUse: covers !== null && covers > 0 && covers === hashes!.size,
      spec,
      entries: kept.length,
      covers,
    };
  });
}

/**
 * Each kept copy of weights, with the service worker's cached files under
 * its model.json's folder; cached files whose weights are not kept (any
 * more) are an item of their own.
 */
async function weightsItems(session: Session): Promise<StoredWeightsItem[]> {
  const [kept, files] = await Promise.all([listCachedWeights(), offlineWeightFiles()]);
  const claimed = new Set<string>();
  const items: StoredWeightsItem[] = kept.map(({key, entry, bytes: indexedDB}) => {
    const folder = entry.url.includes('://') ? new URL('./', entry.url).href : null;
    const own = folder ? files.filter((f) => f.url.startsWith(folder)) : [];
    own.forEach((f) => claimed.add(f.url));
    const offlineCache = sum(own);
    const widths = [...widthsOf(new Map(entry.specs.map((s) => [s.name, s.shape])))];
    return {
      kind: 'weights',
      id: `weights:${key}`,
      label: entry.label ?? `VGG16 weights from ${entry.url} (${describeWidths(widths)} filters)`,
      bytes: indexedDB + offlineCache,
      savedAt: entry.savedAt,
      inUse: session.weights?.info.id === entry.id,
      weightsId: entry.id,
      url: folder ? entry.url : null,
      widths,
      copies: {indexedDB, offlineCache},
    };
  });
  const orphans = new Map<string, OfflineFile[]>();
  for (const file of files.filter((f) => !claimed.has(f.url))) {
    const folder = new URL('./', file.url).href;
    orphans.set(folder, [...(orphans.get(folder) ?? []), file]);
  }
  for (const [folder, own] of orphans) {
    items.push({
      kind: 'weights',
      id: `weights:offline:${folder}`,
      label: `Weight files from ${folder}, in the offline cache only`,
      bytes: sum(own),
      savedAt: null,
      inUse: false,
      weightsId: null,
      url: new URL('model.json', folder).href,
      widths: null,
      copies: {indexedDB: 0, offlineCache: sum(own)},
    });
  }
  return items;
}

async function headItems(session: Session): Promise<StoredHeadItem[]> {
  const stored = await readStoredHead();
  if (!stored) return [];
  return [
    {
      kind: 'head',
      id: 'head:current',
      label: `Head for ${stored.classes.join(', ')} (features at ${stored.spec.inputSize}×${stored.spec.inputSize})`,
      bytes: storedBytes(stored),
      savedAt: stored.trainedAt,
      inUse: session.head?.info.trainedAt === stored.trainedAt,
      spec: stored.spec,
      datasetId: stored.datasetId,
      classes: stored.classes,
    },
  ];
}

/** The checkpoint is in use when it belongs to the loaded dataset: step 4 resumes it, step 5 scores it. */
async function checkpointItems(session: Session): Promise<StoredCheckpointItem[]> {
  const {manifest, bytes} = await session.checkpoints.usage();
  if (!manifest) return [];
  return [
    {
      kind: 'checkpoint',
      id: 'checkpoint:current',
      label: `Fine-tuning checkpoint after epoch ${manifest.epoch} of ${manifest.options.epochs} (${manifest.classes.join(', ')})`,
      bytes,
      savedAt: manifest.savedAt,
      inUse: session.dataset.manifest()?.id === manifest.datasetId,
      datasetId: manifest.datasetId,
      epoch: manifest.epoch,
      epochs: manifest.options.epochs,
    },
  ];
}

/** The frames are the page's until they become a dataset: the session never uses them. */
async function webcamItems(frames: FrameStore): Promise<StoredWebcamItem[]> {
  const usage = await frames.usage();
  if (usage.classes.length === 0) return [];
  return [
    {
      kind: 'webcam',
      id: 'webcam:frames',
      label: `${usage.frames} frame(s) in ${usage.classes.length} class(es): ${usage.classes.join(', ')}`,
      bytes: usage.bytes,
      savedAt: usage.lastCapturedAt,
      inUse: false,
      classes: usage.classes,
      frames: usage.frames,
    },
  ];
}

async function removeItem(session: Session, frames: FrameStore, item: StoredItem): Promise<Unloaded[]> {
  const key = item.id.slice(item.kind.length + 1);
  switch (item.kind) {
    case 'dataset':
      await deleteStoredDataset();
      if (!item.inUse) return [];
      session.dataset.forget();
      return ['dataset'];
    case 'features':
      await deleteFeatureSet(key);
      return [];
    case 'weights': {
      if (!key.startsWith('offline:')) await deleteCachedWeights(key);
      if (item.url) {
        const folder = new URL('./', item.url).href;
        await deleteOfflineWeightFiles((await offlineWeightFiles()).filter((f) => f.url.startsWith(folder)).map((f) => f.url));
      }
      if (!item.inUse) return [];
      session.unloadWeights();
      return ['weights'];
    }
    case 'head':
      await deleteStoredHead();
      if (!item.inUse) return [];
      session.setHead(null);
      return ['head'];
    case 'checkpoint':
      await session.checkpoints.clear();
      return item.inUse ? ['checkpoint'] : [];
    case 'webcam':
      await frames.clear();
      return [];
  }
}

/** The browser's figures for the whole site (IndexedDB, the offline copy, everything); null where it gives none. */
async function estimateStorage(): Promise<StorageEstimateReport | null> {
  try {
    const estimate = (await navigator.storage?.estimate?.()) as (StorageEstimate & {usageDetails?: StorageEstimateReport['details']}) | undefined;
    if (!estimate || estimate.usage === undefined || estimate.quota === undefined) return null;
    return {usage: estimate.usage, quota: estimate.quota, ...(estimate.usageDetails ? {details: {...estimate.usageDetails}} : {})};
  } catch {
    return null; // a frame denied storage may not ask
  }
}

const sum = (files: readonly OfflineFile[]) => files.reduce((total, f) => total + f.bytes, 0);
