/**
 * Types that cross the worker boundary. Plain data only: no DOM, no tfjs.
 * Big data (pixels, features, weights) crosses as transferred ArrayBuffers.
 */

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
  /** Seeded He-uniform weights: no transfer, for pipelines and baselines. */
  | {kind: 'random'; seed: number};

export interface WeightsInfo {
  /** Stable identity of the weights: SHA-256 of their bytes (or the seed). Part of every feature cache key. */
  id: string;
  /** Where the bytes came from this time. */
  origin: 'network' | 'indexeddb' | 'generated';
  label: string;
  url?: string;
  bytes: number;
  params: number;
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

/** Every long job reports progress as one of these; throttled, the last one always sent. */
export type Progress = {
  kind: 'features';
  done: number;
  total: number;
  /** Items per second since the job started. */
  rate: number;
  /** Seconds left at that rate; null until there is a rate. */
  etaSeconds: number | null;
};

export interface MemoryReport {
  backend: BackendName;
  numTensors: number;
  numBytes: number;
}
