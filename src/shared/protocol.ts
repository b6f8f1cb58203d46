/**
 * Types that cross the worker boundary. Plain data only: no DOM, no tfjs.
 * Big data that has to cross (pixels in, features out) crosses as
 * transferred ArrayBuffers, not copies.
 */

import type {ClassMetrics} from './metrics.ts';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * Work with different best backends. 'inference' runs the frozen network
 * (features, evaluation); 'training' backpropagates through conv layers
 * (fine-tuning), which the wasm backend cannot do.
 */
export type Phase = 'inference' | 'training';
export const PHASES: readonly Phase[] = ['inference', 'training'];

/** A user's choice of backend per phase; unset means automatic. */
export type BackendOverrides = Partial<Record<Phase, BackendName>>;

export interface SkippedBackend {
  backend: BackendName;
  reason: string;
}

export interface PhaseBackend {
  backend: BackendName;
  /** Set when the user asked for this backend rather than the automatic choice. */
  overridden: boolean;
  /** Every backend generally better than the chosen one, with why it was not used. */
  skipped: SkippedBackend[];
}

export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter such as SwiftShader: real WebGPU, but far slower than wasm. */
  isFallbackAdapter: boolean;
}

export interface WebglSummary {
  renderer: string;
  /** Rendering in software (SwiftShader, llvmpipe): slower than wasm for inference. */
  software: boolean;
}

export interface RuntimeReport {
  phases: Record<Phase, PhaseBackend>;
  /** null when WebGPU is not available; `webgpuUnavailable` says why. */
  webgpu: GpuAdapterSummary | null;
  webgpuUnavailable?: string;
  webgl: WebglSummary | null;
  /** wasm threads need cross-origin isolation (COOP/COEP). */
  crossOriginIsolated: boolean;
  wasmThreads: number;
}

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
}

/**
 * 'caffe' is what Keras's VGG16 expects (RGB→BGR, minus the ImageNet mean,
 * no scaling); 'rescale' is the tutorial's `rescale=1/255`.
 */
export type Preprocessing = 'caffe' | 'rescale';

export interface FeatureRequest {
  /** `count` square RGB images of `size`×`size`, row-major, uint8. */
  pixels: Uint8Array;
  count: number;
  size: number;
  batchSize?: number;
  preprocessing?: Preprocessing;
}

export interface FeatureResult {
  features: Float32Array;
  /** [count, height, width, channels] of block5_pool. */
  shape: [number, number, number, number];
  backend: BackendName;
}

interface ProgressCounts {
  done: number;
  total: number;
  /** Items per second since the job started. */
  rate: number;
  /** Seconds left at that rate; null until there is a rate. */
  etaSeconds: number | null;
}

/** Every long job reports progress as one of these; throttled, the last one always sent. */
export type Progress =
  /** Images whose features are ready; `cached` of them came from IndexedDB. */
  | ({kind: 'features'; cached?: number} & ProgressCounts)
  /** Entries of the zip looked at, and how many were usable images. */
  | ({kind: 'import'; images: number} & ProgressCounts);

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Fractions of each class that go to each split when the zip has only class folders. */
export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export interface ImportOptions {
  /** Seed of the stratified split (only used for zips with class folders only). */
  seed?: number;
  fractions?: SplitFractions;
}

/** Safety caps for an import (a dropped zip is untrusted input). */
export interface ImportLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry's uncompressed size; larger ones are skipped as too large. */
  maxEntryBytes: number;
  /** Uncompressed : compressed, checked on entries over 1 MiB (deflate tops out near 1032:1). */
  maxCompressionRatio: number;
  maxImageSide: number;
  maxImagePixels: number;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/** One usable image of the dataset. */
export interface DatasetImage {
  /** SHA-256 of the file's bytes: the key of every later cache. */
  hash: string;
  /** The path inside the zip, for display only (bidi controls stripped; render as text). */
  path: string;
  label: number;
  split: Split;
  format: ImageFormat;
  width: number;
  height: number;
  /** A small square preview (WebP, cropped to the centre) for galleries. */
  thumbnail: Blob;
}

/** Why a file that looked like an image was left out. */
export type SkipReason = 'empty' | 'undecodable' | 'truncated' | 'too-large' | 'unsupported-format';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  message: string;
}

export type DatasetWarning =
  | {kind: 'imbalance'; message: string}
  | {kind: 'duplicate-across-splits'; message: string; hash: string; paths: string[]}
  | {kind: 'skipped-files'; message: string}
  | {kind: 'missing-test-class'; message: string};

export interface DatasetManifest {
  /** Stable id: a hash over every image's hash, label and split. */
  id: string;
  /** The zip's file name. */
  name: string;
  /** 'splits': train/validation/test folders in the zip; 'classes': class folders, split here. */
  layout: 'splits' | 'classes';
  /** The single folder everything sat in, if any. */
  wrapper: string | null;
  /** Class names in label order (sorted, as Keras's flow_from_directory does). */
  classes: string[];
  images: DatasetImage[];
  /** counts[split][label]. */
  counts: Record<Split, number[]>;
  skipped: SkippedFile[];
  /** Files deliberately passed over (OS metadata, non-image files, files outside class folders), with a few examples. */
  ignored: {count: number; examples: string[]};
  warnings: DatasetWarning[];
  /** How the split was made, for 'classes' zips. */
  split: {seed: number; fractions: SplitFractions} | null;
  /** Whether the zip is kept in IndexedDB for the next visit, and why not if not. */
  stored: boolean;
  storeProblem?: string;
}


export interface MemoryReport {
  backend: BackendName;
  numTensors: number;
  numBytes: number;
}

/** What a dataset's bottleneck features depend on besides the images; part of every feature cache key. */
export interface FeatureSpec {
  weightsId: string;
  /** The conv-base layer the features come from. */
  layer: 'block5_pool';
  /** block5's filters: 512 for VGG16; with inputSize, the features' shape. */
  channels: number;
  inputSize: number;
  preprocessing: Preprocessing;
}

export interface FeatureRunOptions {
  inputSize: number;
  preprocessing: Preprocessing;
  batchSize?: number;
}

export interface FeatureRunResult {
  spec: FeatureSpec;
  /** Which dataset the features were made for. */
  datasetId: string;
  total: number;
  /** Read from IndexedDB: no model work for these. */
  fromCache: number;
  computed: number;
  seconds: number;
  /** Images computed per second in the batch loop (cache hits and model start-up not counted); null when none were computed. */
  imagesPerSecond: number | null;
  backend: BackendName | null;
}

export type OptimizerName = 'rmsprop' | 'adam' | 'sgd';

export interface HeadOptions {
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss, and go back to the best epoch. */
  earlyStoppingPatience: number | null;
}

/** One epoch of training, as the curves plot it. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  /** tf.memory().numTensors after the epoch: flat from epoch to epoch, or something leaks. */
  numTensors: number;
}

export interface HeadResult {
  history: EpochLog[];
  /** The epoch with the lowest validation loss (1-based). */
  bestEpoch: number;
  /** Early stopping ended the run and the weights of `bestEpoch` were put back. */
  stoppedEarly: boolean;
  classes: string[];
  trainCount: number;
  validationCount: number;
  backend: BackendName;
}

/** One image's prediction on the evaluated split. */
export interface ImagePrediction {
  /** Index into the manifest's images. */
  image: number;
  truth: number;
  predicted: number;
  /** The model's probability for the class it predicted. */
  probability: number;
}

export interface EvaluationResult {
  split: Split;
  /** The dataset (and split) the numbers are about. */
  datasetId: string;
  /** Which model was evaluated. */
  model: 'head' | 'fine-tuned';
  loss: number;
  accuracy: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClass: ClassMetrics[];
  predictions: ImagePrediction[];
  classes: string[];
}

/**
 * Keras ImageDataGenerator's random transforms, with its meanings: degrees
 * for rotation and shear, fractions of the size for shifts, ±range around 1
 * for zoom. Edges are filled with the nearest pixel.
 */
export interface AugmentSettings {
  rotationRange: number;
  widthShiftRange: number;
  heightShiftRange: number;
  shearRange: number;
  zoomRange: number;
  horizontalFlip: boolean;
}

export interface FineTuneOptions {
  learningRate: number;
  momentum: number;
  epochs: number;
  batchSize: number;
  seed: number;
  augment: AugmentSettings;
}

export interface FineTuneResult {
  history: EpochLog[];
  /** Epochs done before this call (from a checkpoint); 0 for a fresh run. */
  resumedFrom: number;
  backend: BackendName;
}

/** What the last fine-tuning checkpoint holds, for "resume" in the UI. */
export interface CheckpointInfo {
  datasetId: string;
  epoch: number;
  epochs: number;
  history: EpochLog[];
  spec: FeatureSpec;
  options: FineTuneOptions;
}

