/** The backends, where they run each phase, and what this context allows (storage, threads). */

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
  /** wasm threads need cross-origin isolation (COOP/COEP, or Document-Isolation-Policy). */
  crossOriginIsolated: boolean;
  /** Threads the wasm backend runs with (0 when it has not started). */
  wasmThreads: number;
  /** Why wasm runs with this many threads, in words (isolation, the CSP, the cores). */
  wasmThreadsReason: string;
}

/**
 * Whether what the steps make (dataset, features, head, checkpoints,
 * weights) outlives the page. A frame that may not use storage (a
 * third-party iframe with storage blocked, a sandbox) runs from memory.
 */
export interface StorageReport {
  persistent: boolean;
  /** Why nothing is kept, when it is not (the browser's own error). */
  reason?: string;
}

export interface MemoryReport {
  backend: BackendName;
  numTensors: number;
  numBytes: number;
}
