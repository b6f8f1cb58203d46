import type {BackendName, GpuAdapterSummary, Phase, WebglSummary} from '../../src/shared/protocol/index.ts';

/** What the browser offers, probed once per worker. */
export interface Capabilities {
  webgpu: {adapter: GpuAdapterSummary} | {unavailable: string};
  webgl: {summary: WebglSummary} | {unavailable: string};
}

export interface Candidate {
  backend: BackendName;
  /** Why a backend sits lower than its general rank, or cannot serve this phase at all. */
  note?: string;
}

/** The general order of preference, used to say which "better" backends were skipped. */
export const GENERAL_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Orders the backends to try for a phase, best first; backends that cannot
 * serve the phase come back in `excluded` with their reason.
 *
 * Measured on a CPU-only machine (DESIGN.md, README's benchmarks): a
 * software WebGPU adapter (SwiftShader) is ~50× slower than wasm for VGG16
 * inference, and software WebGL ~20× slower. wasm trains convolutions with
 * our kernels (workers/kernels/wasm/): a fine-tuning epoch on it was 16×
 * (32×32) and 19× (150×150) faster than on software WebGL, which in turn
 * was 6.5× faster than software WebGPU. Hardware adapters win everything.
 */
export function rankBackends(phase: Phase, caps: Capabilities): {order: Candidate[]; excluded: Candidate[]} {
  const gpu = 'adapter' in caps.webgpu ? caps.webgpu.adapter : null;
  const gl = 'summary' in caps.webgl ? caps.webgl.summary : null;
  const hardwareGpu = gpu !== null && !gpu.isFallbackAdapter;
  const hardwareGl = gl !== null && !gl.software;
  const excluded: Candidate[] = [];
  if (!gpu) excluded.push({backend: 'webgpu', note: (caps.webgpu as {unavailable: string}).unavailable});
  if (!gl) excluded.push({backend: 'webgl', note: (caps.webgl as {unavailable: string}).unavailable});

  const softGpu: Candidate = {
    backend: 'webgpu',
    note:
      phase === 'inference'
        ? `software WebGPU adapter (${describeAdapter(gpu)}): about 50× slower than wasm for inference`
        : `software WebGPU adapter (${describeAdapter(gpu)}): slower than wasm and than software WebGL for fine-tuning`,
  };
  const softGl: Candidate = {
    backend: 'webgl',
    note:
      phase === 'inference'
        ? `software WebGL (${gl?.renderer ?? 'unknown renderer'}): about 20× slower than wasm for inference`
        : `software WebGL (${gl?.renderer ?? 'unknown renderer'}): about 15–20× slower than wasm for fine-tuning`,
  };

  const order: Candidate[] = [];
  if (hardwareGpu) order.push({backend: 'webgpu'});
  if (hardwareGl) order.push({backend: 'webgl'});
  order.push({backend: 'wasm'});
  if (gl && !hardwareGl) order.push(softGl);
  if (gpu && !hardwareGpu) order.push(softGpu);
  order.push({backend: 'cpu'});
  return {order, excluded};
}

function describeAdapter(gpu: GpuAdapterSummary | null): string {
  if (!gpu) return 'none';
  return [gpu.vendor, gpu.architecture, gpu.description].filter(Boolean).join(' ') || 'fallback adapter';
}
