/** Choices the tests and benchmarks make; the app keeps the defaults. */
export interface WebgpuKernelOptions {
  /** 'ours': the kernels of this folder; 'stock': tfjs's own (to compare them side by side). */
  kernels: 'ours' | 'stock';
  /**
   * 'auto': the subgroup path where the device has subgroups of one fixed size and the grid keeps a large GPU busy;
   * 'always': wherever it can run (tests on small shapes); 'off': workgroup memory only.
   */
  subgroups: 'auto' | 'always' | 'off';
  /** Tile sizes for the workgroup-memory path instead of the ones chosen per shape (benchmark sweeps). */
  tiles: {tileM: 64 | 128; tileN: 64 | 128; tileK: 8 | 16} | null;
  /** Split the filter gradient's K this many ways (tests, sweeps); 0: chosen per shape. */
  splits: number;
}

const DEFAULTS: WebgpuKernelOptions = {kernels: 'ours', subgroups: 'auto', tiles: null, splits: 0};
let current: WebgpuKernelOptions = {...DEFAULTS};

export function webgpuKernelOptions(): Readonly<WebgpuKernelOptions> {
  return current;
}

/** Changes some options; `reset` puts the defaults back first. Returns what was in force before. */
export function setWebgpuKernelOptions(changes: Partial<WebgpuKernelOptions>, reset = false): WebgpuKernelOptions {
  const before = current;
  current = {...(reset ? DEFAULTS : current), ...changes};
  return before;
}
