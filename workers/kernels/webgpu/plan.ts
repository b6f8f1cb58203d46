import {THREADS, type GemmPlan, type GemmShape} from './implicit-gemm.ts';
import type {WebgpuKernelOptions} from './kernel-options.ts';

/**
 * Workgroups worth having in flight before tiles are made smaller or K is
 * split: about three per multiprocessor of a 132-SM H100/H200. Below it a
 * large GPU idles; far above it costs nothing but smaller tiles reuse less.
 */
const TARGET_WORKGROUPS = 384;
/** A split below this much K sums too little to pay for its share of the extra pass. */
const MIN_K_PER_SPLIT = 256;
/** Subgroup sizes the subgroup path is written for (one K tile of 16 per lane group). */
const SUBGROUP_SIZES = [4, 8, 16, 32];

export interface PlanRequest {
  shape: GemmShape;
  /** A is read four along K at a time, and N is a multiple of 4: what the subgroup path needs. */
  subgroupable: boolean;
  /** The device's fixed subgroup size, 0 if none. */
  subgroupSize: number;
  /** Whether K may be split (where M·N is small and K large: block5's products at small batches, the filter gradient). */
  splitK: boolean;
  maxWorkgroupBytes: number;
  maxWorkgroupsPerDimension: number;
}

const tiles = (a: number, tile: number) => Math.ceil(a / tile);

/** How to cut the product into workgroups; null when its grid exceeds the device's limits (the caller then uses tfjs's kernel). */
export function planGemm(request: PlanRequest, options: Readonly<WebgpuKernelOptions>): GemmPlan | null {
  const plan = subgroupPlan(request, options) ?? sharedPlan(request, options);
  if (plan.tileK * 2 * 4 * (plan.kind === 'shared' ? plan.tileM + plan.tileN : plan.tileN) > request.maxWorkgroupBytes) return null;
  const {M, N} = request.shape;
  if (Math.max(tiles(M, plan.tileM), tiles(N, plan.tileN), plan.splits) > request.maxWorkgroupsPerDimension) return null;
  return plan;
}

function subgroupPlan(request: PlanRequest, options: Readonly<WebgpuKernelOptions>): GemmPlan | null {
  const S = request.subgroupSize;
  const {shape} = request;
  if (options.subgroups === 'off' || options.tiles || !request.subgroupable || !SUBGROUP_SIZES.includes(S) || shape.N < 4 * S) return null;
  const tileK = 16;
  // Two vec4 column chunks per lane where N is wide enough and B's tile fits; 16 vec4 accumulators per lane either way.
  const chunks = [2, 1].filter((c) => c === 1 || (shape.N >= 8 * S && 2 * tileK * 4 * c * S * 4 <= request.maxWorkgroupBytes));
  const plans = chunks.map((chunksPerLane) => {
    const rowsPerSubgroup = Math.min(S, 16 / chunksPerLane);
    return {
      kind: 'subgroup' as const,
      tileM: (rowsPerSubgroup * THREADS) / S,
      tileN: 4 * chunksPerLane * S,
      tileK,
      subgroupSize: S,
      rowsPerSubgroup,
      chunksPerLane,
    };
  });
  // Its tiles are large (64×256 or 128×128 at 32 lanes): where they leave the GPU idle, the workgroup-memory path cuts smaller ones.
  const busy = plans.find((p) => tiles(shape.M, p.tileM) * tiles(shape.N, p.tileN) >= TARGET_WORKGROUPS);
  const plan = busy ?? (options.subgroups === 'always' ? plans[0] : undefined);
  return plan ? withSplits(request, options, plan) : null;
}

function sharedPlan(request: PlanRequest, options: Readonly<WebgpuKernelOptions>): GemmPlan {
  const {M, N} = request.shape;
  let tileM: number;
  let tileN: number;
  let tileK: number;
  if (options.tiles) {
    ({tileM, tileN, tileK} = options.tiles);
  } else {
    const wide = N > 64 ? 128 : 64;
    const candidates: Array<[number, number]> = [
      [128, wide],
      [64, wide],
      [64, 64],
    ];
    const enough = ([m, n]: [number, number]) => tiles(M, m) * tiles(N, n) * (request.splitK ? Math.max(1, Math.floor(request.shape.K / MIN_K_PER_SPLIT)) : 1) >= TARGET_WORKGROUPS;
    // Where K may be split, the largest tiles with K split (one small extra pass) before smaller tiles (half the reuse).
    [tileM, tileN] = candidates.find(enough) ?? candidates.at(-1)!;
    tileK = 2 * 16 * (tileM + tileN) * 4 <= request.maxWorkgroupBytes ? 16 : 8;
  }
  return withSplits(request, options, {kind: 'shared', tileM, tileN, tileK, subgroupSize: 0, rowsPerSubgroup: 0, chunksPerLane: 0});
}

function withSplits(request: PlanRequest, options: Readonly<WebgpuKernelOptions>, plan: Omit<GemmPlan, 'splits' | 'kPerSplit'>): GemmPlan {
  const {M, N, K} = request.shape;
  let splits = 1;
  if (request.splitK) {
    const workgroups = tiles(M, plan.tileM) * tiles(N, plan.tileN);
    if (workgroups < TARGET_WORKGROUPS) splits = Math.min(Math.ceil(TARGET_WORKGROUPS / workgroups), Math.floor(K / MIN_K_PER_SPLIT));
    splits = Math.min(Math.max(options.splits || splits, 1), tiles(K, plan.tileK));
  }
  const kPerSplit = tiles(tiles(K, splits), plan.tileK) * plan.tileK;
  return {...plan, splits: tiles(K, kPerSplit), kPerSplit};
}
