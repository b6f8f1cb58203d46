/** Where the VGG16 conv base's weights come from, and what was loaded. */
import type {FeatureDefaults} from './features.ts';

export type WeightsSource =
  /** A tfjs layers model (model.json + binary shards) at this URL. */
  | {kind: 'url'; url: string; /** Ignore the IndexedDB copy and fetch again. */ refresh?: boolean}
  /**
   * Seeded He-uniform weights: no transfer, for pipelines and baselines.
   * `widths` (filters per block) makes the random twin of a narrow variant; VGG16's by default.
   */
  | {kind: 'random'; seed: number; widths?: number[]}
  /** Keras's weights-only HDF5 file (e.g. vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5), as dropped. */
  | {kind: 'file'; file: File}
  /** Weights kept in IndexedDB by an earlier file load, by their id. */
  | {kind: 'stored'; id: string};

/** The real VGG16's filters per block (block1…block5); a narrow variant keeps the layout with fewer. */
export const VGG16_WIDTHS: readonly number[] = [64, 128, 256, 512, 512];

export interface WeightsInfo {
  /** Stable identity of the weights: SHA-256 of their bytes (or the seed). Part of every feature cache key. */
  id: string;
  /** Where the bytes came from this time. */
  origin: 'network' | 'indexeddb' | 'generated' | 'file';
  label: string;
  url?: string;
  bytes: number;
  params: number;
  /** Filters per block (block1…block5): [64, 128, 256, 512, 512] for VGG16, fewer for a narrow variant. */
  widths: number[];
  /** Tensors in the file that the conv base does not use (e.g. fc1, fc2 of a model with top). */
  ignored: string[];
  /** Whether a copy now sits in IndexedDB, and why not if not. */
  cached: boolean;
  cacheProblem?: string;
  /** When the kept copy was written (ms since the epoch), for weights read back from IndexedDB. */
  savedAt?: number;
  /**
   * What the weights were trained with, from the model.json's
   * `userDefinedMetadata` (inputSize, preprocessing, resize): step 2's
   * defaults when they are loaded.
   */
  defaults: FeatureDefaults;
}
