import * as tf from '@tensorflow/tfjs';
// Registers the 'webgpu' backend; the tfjs umbrella package does not include it.
import '@tensorflow/tfjs-backend-webgpu';
import {registerWebgpuKernels} from '../kernels/webgpu/register.ts';
import {getThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {registerWasmTrainingKernels} from '../kernels/wasm/register.ts';
import {GENERAL_ORDER, rankBackends, type Capabilities} from './backend-ranking.ts';
import {withTimeout} from './timeout.ts';
import {dropWasmThreads, planWasmThreads, startWasmWithThreads} from './wasm-threads.ts';
import type {
  BackendName,
  BackendOverrides,
  GpuAdapterSummary,
  Phase,
  PhaseBackend,
  RuntimeReport,
  SkippedBackend,
} from '../../src/shared/protocol/index.ts';

// Before webgpu starts: our convolution kernels, on a device with subgroups where the adapter has them.
registerWebgpuKernels();

// Serve the .wasm binaries from this app (no CDN: the app must work offline).
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

// Before wasm starts: the kernels that let it train convolutions.
registerWasmTrainingKernels();

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software/i;

/** Why the WebGPU device was lost, once it has been. */
let gpuLost: string | null = null;

/** Asks the browser what it offers, without starting any tfjs backend. */
export async function probeCapabilities(): Promise<Capabilities> {
  return {webgpu: await probeWebgpu(), webgl: probeWebgl()};
}

async function probeWebgpu(): Promise<Capabilities['webgpu']> {
  if (gpuLost !== null) {
    // tfjs keeps the dead device in its backend; only a fresh worker (a reload) gets a new one.
    return {unavailable: `not available: the WebGPU device was lost (${gpuLost}); reload the page to use it again`};
  }
  if (!navigator.gpu) {
    return {unavailable: 'not available: navigator.gpu is missing (no WebGPU in this browser or context)'};
  }
  try {
    const adapter = await navigator.gpu.requestAdapter({powerPreference: 'high-performance'});
    if (!adapter) return {unavailable: 'not available: requestAdapter() found no adapter'};
    return {adapter: summarizeAdapter(adapter)};
  } catch (err) {
    return {unavailable: `not available: requestAdapter() failed: ${(err as Error).message}`};
  }
}

function summarizeAdapter(adapter: GPUAdapter): GpuAdapterSummary {
  const info = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info in newer Chrome.
  const flagged =
    (info as GPUAdapterInfo & {isFallbackAdapter?: boolean}).isFallbackAdapter ??
    (adapter as GPUAdapter & {isFallbackAdapter?: boolean}).isFallbackAdapter ??
    false;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Older Chrome reported SwiftShader without the flag; its name gives it away.
    isFallbackAdapter: flagged || SOFTWARE_RENDERER.test(text),
  };
}

function probeWebgl(): Capabilities['webgl'] {
  if (typeof OffscreenCanvas === 'undefined') return {unavailable: 'not available: no OffscreenCanvas in this context'};
  const canvas = new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return {unavailable: 'not available: no WebGL context could be created'};
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return {summary: {renderer, software: SOFTWARE_RENDERER.test(renderer)}};
}

/** Backends that have started in this worker. */
const started = new Set<BackendName>();

/** A backend that has not started in this long is skipped (a CSP-blocked helper, a hung driver). */
export const BACKEND_START_TIMEOUT_MS = 30_000;

/**
 * Starts a backend; resolves false (with why) instead of throwing, and
 * within a time limit. (Never probe with `tf.findBackend`: for a registered
 * backend that has not started it kicks off an async init that leaves the
 * engine "pending".) A later `setBackend` call supersedes a hung one: tfjs
 * drops the older init.
 */
async function startBackend(name: BackendName): Promise<{ok: true} | {ok: false; reason: string}> {
  const threads = name === 'wasm' ? (await planWasmThreads()).threads : 0;
  let result = await (threads > 1 ? startWasmWithThreads(threads, () => trySetBackend(name)) : trySetBackend(name));
  if (!result.ok && threads > 1 && result.timedOut) {
    // The threaded build waited for helper threads that never came: one thread works everywhere.
    dropWasmThreads(`one thread: the threaded build did not start within ${BACKEND_START_TIMEOUT_MS / 1000} s (its helper workers never answered)`);
    result = await trySetBackend(name);
  }
  if (!result.ok) return result;
  if (!started.has(name) && name === 'webgpu') watchDeviceLoss(tf.backend());
  started.add(name);
  return {ok: true};
}

async function trySetBackend(name: BackendName): Promise<{ok: true} | {ok: false; reason: string; timedOut?: boolean}> {
  try {
    const ok = await withTimeout(tf.setBackend(name), BACKEND_START_TIMEOUT_MS, () => new NamedError(ErrorName.BackendTimeout, `did not start within ${BACKEND_START_TIMEOUT_MS / 1000} s`));
    return ok ? {ok: true} : {ok: false, reason: 'failed to start (tf.setBackend resolved false)'};
  } catch (err) {
    const timedOut = hasErrorName(err, ErrorName.BackendTimeout);
    return {ok: false, reason: timedOut ? (err as Error).message : `failed to start: ${(err as Error).message}`, timedOut};
  }
}

async function choosePhase(phase: Phase, caps: Capabilities, override: BackendName | undefined): Promise<PhaseBackend> {
  const {order, excluded} = rankBackends(phase, caps);
  const reasons = new Map<BackendName, string>();
  for (const c of [...order, ...excluded]) if (c.note) reasons.set(c.backend, c.note);
  const usable = new Set(order.map((c) => c.backend));

  const tries: BackendName[] = order.map((c) => c.backend);
  if (override) {
    if (usable.has(override)) tries.unshift(...tries.splice(tries.indexOf(override), 1));
    else reasons.set(override, `requested, but ${reasons.get(override) ?? 'not usable for ' + phase}`);
  }

  const failed = new Set<BackendName>();
  for (const backend of tries) {
    const started = await startBackend(backend);
    if (!started.ok) {
      reasons.set(backend, override === backend ? `requested, but ${started.reason}` : started.reason);
      failed.add(backend);
      continue;
    }
    const overridden = override === backend;
    const rank = GENERAL_ORDER.indexOf(backend);
    const skipped: SkippedBackend[] = GENERAL_ORDER.filter(
      (b, i) => b !== backend && (i < rank || b === override || failed.has(b)),
    ).map((b) => ({
      backend: b,
      reason: reasons.get(b) ?? (overridden ? `not requested: ${backend} was chosen by the user` : 'ranked lower here'),
    }));
    return {backend, overridden, skipped};
  }
  throw new NamedError(ErrorName.NoBackend, `No tfjs backend could start for ${phase}.`, {
    tried: tries.map((b) => ({backend: b, reason: reasons.get(b)})),
  });
}

function watchDeviceLoss(backend: tf.KernelBackend): void {
  (backend as tf.KernelBackend & {device?: GPUDevice}).device?.lost.then((info) => {
    gpuLost = info.message || info.reason || 'unknown reason';
  });
}

/** Records that the WebGPU device is gone when an operation fails that way before `device.lost` settles. */
export function markGpuLost(reason: string): void {
  gpuLost ??= reason;
}

/** Throws GpuDeviceLostError once the WebGPU device is gone; jobs call it between batches. */
export function assertGpuAlive(): void {
  if (gpuLost !== null && tf.getBackend() === 'webgpu') {
    throw new NamedError(ErrorName.GpuDeviceLost, `The WebGPU device was lost: ${gpuLost}`);
  }
}

/**
 * Picks a backend per phase: probes the browser, ranks the backends, and
 * starts each in turn until one works (judged by `tf.setBackend`'s result).
 */
export async function chooseBackends(overrides: BackendOverrides = {}): Promise<RuntimeReport> {
  for (const [phase, backend] of Object.entries(overrides)) {
    if (backend !== undefined && !GENERAL_ORDER.includes(backend)) {
      throw new NamedError(ErrorName.InvalidRequest, `Unknown backend "${backend}" for ${phase}.`);
    }
  }
  const caps = await probeCapabilities();
  const inference = await choosePhase('inference', caps, overrides.inference);
  const training = await choosePhase('training', caps, overrides.training);
  await tf.setBackend(inference.backend);
  return {
    phases: {inference, training},
    webgpu: 'adapter' in caps.webgpu ? caps.webgpu.adapter : null,
    ...('unavailable' in caps.webgpu ? {webgpuUnavailable: caps.webgpu.unavailable} : {}),
    webgl: 'summary' in caps.webgl ? caps.webgl.summary : null,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ...(await wasmThreads()),
  };
}

async function wasmThreads(): Promise<Pick<RuntimeReport, 'wasmThreads' | 'wasmThreadsReason'>> {
  if (!started.has('wasm')) return {wasmThreads: 0, wasmThreadsReason: 'wasm is not in use'};
  const threads = getThreadsCount();
  const plan = await planWasmThreads();
  const reason = threads === plan.threads ? plan.reason : `${threads === 1 ? 'one thread' : `${threads} threads`} (tfjs started fewer than the ${plan.threads} planned: ${plan.reason})`;
  return {wasmThreads: threads, wasmThreadsReason: reason};
}

/** Switches tfjs to the backend chosen for a phase. */
export async function useBackend(report: RuntimeReport, phase: Phase): Promise<BackendName> {
  const name = report.phases[phase].backend;
  if (tf.getBackend() !== name) {
    const result = await trySetBackend(name);
    if (!result.ok) {
      throw new NamedError(result.timedOut ? ErrorName.BackendTimeout : ErrorName.NoBackend, `The ${name} backend chosen for ${phase} ${result.reason}.`);
    }
  }
  assertGpuAlive();
  return name;
}
