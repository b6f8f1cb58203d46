/** What the worker keeps in this browser, item by item, and how much room it takes. */
import type {FeatureSpec} from './features.ts';

/** The kinds of things the steps keep: step 1's zip, step 2's features, the weights, step 3's head, step 4's checkpoint, the webcam's frames. */
export const STORED_KINDS = ['dataset', 'features', 'weights', 'head', 'checkpoint', 'webcam'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

interface StoredBase {
  /** Names the item for `storage.remove` (its kind and its key in its store). */
  id: string;
  /** What it is, in a few words ("pets.zip: 24 images in 2 classes"). */
  label: string;
  /**
   * Bytes of the values as stored: binary parts exactly (ArrayBuffer and
   * typed-array lengths, Blob sizes), text by its length, numbers as 8 bytes.
   * Keys and the browser's own overhead are not counted.
   */
  bytes: number;
  /** When it was written (ms since the epoch); null where the store does not say. */
  savedAt: number | null;
  /** The worker's session uses it now: deleting it changes what the steps can do. */
  inUse: boolean;
}

export interface StoredDatasetItem extends StoredBase {
  kind: 'dataset';
  /** The manifest's id, the same as the loaded dataset's when it is the one kept. */
  datasetId: string;
  name: string;
  images: number;
}

/** One set of bottleneck features: every image's entry made with one spec. */
export interface StoredFeaturesItem extends StoredBase {
  kind: 'features';
  /** The cache key's fields; null for entries of an earlier version of the app (never read again). */
  spec: Omit<FeatureSpec, 'channels'> | null;
  entries: number;
  /** How many images of the loaded dataset these features cover (null: no dataset loaded). */
  covers: number | null;
}

export interface StoredWeightsItem extends StoredBase {
  kind: 'weights';
  /** The weights' id (their SHA-256), as in WeightsInfo and every feature spec; null for a copy in the offline cache alone. */
  weightsId: string | null;
  /** The model.json they were downloaded from; null for a dropped file. */
  url: string | null;
  /** Filters per block, read off the kernels' shapes ([64, 128, 256, 512, 512] for VGG16). */
  widths: number[] | null;
  /** Where the bytes are: the worker's IndexedDB copy, and the service worker's offline cache of the files. */
  copies: {indexedDB: number; offlineCache: number};
}

export interface StoredHeadItem extends StoredBase {
  kind: 'head';
  spec: FeatureSpec;
  datasetId: string;
  classes: string[];
}

export interface StoredCheckpointItem extends StoredBase {
  kind: 'checkpoint';
  datasetId: string;
  /** The last completed epoch, and the run's planned number. */
  epoch: number;
  epochs: number;
}

/** The webcam's classes and captured frames, kept until they are deleted (making a dataset of them copies them into its zip). */
export interface StoredWebcamItem extends StoredBase {
  kind: 'webcam';
  classes: string[];
  frames: number;
}

export type StoredItem = StoredDatasetItem | StoredFeaturesItem | StoredWeightsItem | StoredHeadItem | StoredCheckpointItem | StoredWebcamItem;

/** `navigator.storage.estimate()`: everything this site keeps, the app's offline copy included. */
export interface StorageEstimateReport {
  usage: number;
  quota: number;
  /** Chromium's breakdown, where the browser gives one. */
  details?: {indexedDB?: number; caches?: number; serviceWorkerRegistrations?: number};
}

export interface StorageListing {
  items: StoredItem[];
  /** null where the browser gives no estimate (or this frame may not ask). */
  estimate: StorageEstimateReport | null;
  /** false: the items live in memory only (a frame that may not keep data) and go with the page. */
  persistent: boolean;
}

/** What the session gave up with a deleted item, so the page can say so and the steps wait again. */
export type Unloaded = 'dataset' | 'weights' | 'head' | 'checkpoint';

export interface StorageRemoval {
  removed: StoredItem;
  unloaded: Unloaded[];
}
