import * as tf from '@tensorflow/tfjs';
import type {KernelTime} from './bench-protocol.ts';

export interface KernelProfile {
  /** Wall time of the whole call. */
  wallMs: number;
  /** Sum of the kernels' times (on wasm and cpu kernels run synchronously, so this is exact). */
  kernelMs: number;
  /** Slowest first. */
  kernels: KernelTime[];
}

/**
 * Where the time of a call goes, per kernel and input shape: `tf.profile`
 * with the error check off (it would read every output back). A kernel that
 * a backend composes from others shows as one row, under its own name.
 * On WebGL/WebGPU kernel times are GPU timer queries, not wall time: compare
 * backends by wallMs.
 */
export async function profileKernels(call: () => unknown | Promise<unknown>): Promise<KernelProfile> {
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  try {
    const started = performance.now();
    let wallMs = 0;
    const info = await tf.profile(async () => {
      await call();
      wallMs = performance.now() - started;
    });
    const rows = new Map<string, KernelTime>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      // An op with a custom gradient (fused conv2d, …) is recorded as "name__op" around the kernels it runs: count those once.
      if (k.name.endsWith('__op')) continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernelMs += ms;
      const shapes = k.inputShapes.map((s) => (s ?? []).join('x')).join(' · ');
      const key = `${k.name}|${shapes}`;
      const row = rows.get(key) ?? {kernel: k.name, shapes, calls: 0, ms: 0, share: 0};
      row.calls++;
      row.ms += ms;
      rows.set(key, row);
    }
    const kernels = [...rows.values()].sort((a, b) => b.ms - a.ms);
    for (const row of kernels) row.share = kernelMs > 0 ? row.ms / kernelMs : 0;
    return {wallMs, kernelMs, kernels};
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
}

/** The same profile summed per kernel name (all shapes together), slowest first. */
export function byKernel(profile: KernelProfile): KernelTime[] {
  const rows = new Map<string, KernelTime>();
  for (const k of profile.kernels) {
    const row = rows.get(k.kernel) ?? {kernel: k.kernel, shapes: '(all)', calls: 0, ms: 0, share: 0};
    row.calls += k.calls;
    row.ms += k.ms;
    row.share += k.share;
    rows.set(k.kernel, row);
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}

/** A profile as aligned text lines, the `top` slowest rows (for console logs and reports). */
export function formatProfile(title: string, profile: KernelProfile, rows: KernelTime[] = profile.kernels, top = 20): string {
  const lines = [`${title}: wall ${profile.wallMs.toFixed(0)} ms, kernels ${profile.kernelMs.toFixed(0)} ms`];
  for (const r of rows.slice(0, top)) {
    lines.push(`  ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.ms.toFixed(1).padStart(9)} ms  ${String(r.calls).padStart(4)}×  ${r.kernel.padEnd(22)} ${r.shapes}`);
  }
  return lines.join('\n');
}
