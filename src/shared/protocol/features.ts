/** Step 2: the conv base's bottleneck features, how images are prepared for it, and the cache key. */
import type {BackendName} from './runtime.ts';

/**
 * 'caffe' is what Keras's VGG16 expects (RGB→BGR, minus the ImageNet mean,
 * no scaling); 'rescale' is the tutorial's `rescale=1/255`.
 */
export const PREPROCESSINGS = ['caffe', 'rescale'] as const;
export type Preprocessing = (typeof PREPROCESSINGS)[number];

/**
 * How an image becomes inputSize×inputSize: the filters PIL offers Keras's
 * `load_img` ('area' is PIL's BOX), computed in the worker so every browser
 * gives the same bytes. The aspect ratio is not kept (Keras stretches too).
 */
export const RESIZE_METHODS = ['nearest', 'bilinear', 'bicubic', 'area'] as const;
export type ResizeMethod = (typeof RESIZE_METHODS)[number];

/** A request for block5_pool features of pixels the caller already has. */
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

/** What a dataset's bottleneck features depend on besides the images; part of every feature cache key. */
export interface FeatureSpec {
  weightsId: string;
  /** The conv-base layer the features come from. */
  layer: 'block5_pool';
  /** block5's filters: 512 for VGG16; with inputSize, the features' shape. */
  channels: number;
  inputSize: number;
  preprocessing: Preprocessing;
  resize: ResizeMethod;
}

export interface FeatureRunOptions {
  inputSize: number;
  preprocessing: Preprocessing;
  /** Bilinear unless said otherwise (src/shared/defaults.ts). */
  resize?: ResizeMethod;
  batchSize?: number;
}

/** Settings a backbone says it was trained with (any may be missing). */
export type FeatureDefaults = Partial<Pick<FeatureRunOptions, 'inputSize' | 'preprocessing' | 'resize'>>;

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
