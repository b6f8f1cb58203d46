import {BENCHMARKS, type BenchRow} from './benchmarks.ts';
import {MEASURES, OpenMeasure, type MeasureInfo, type PrepareOutcome, type SampleOutcome} from './measures.ts';
import {runPlayground, type PlaygroundResult} from './playground.ts';
import {profileWasm, type ProfileBatches, type WasmProfiles} from './wasm-profile.ts';

/**
 * What scripts/bench.mjs calls in this page: it drives the run (which
 * entries, the rounds, the native samples in between) and this page does
 * the browser's part of each call. Nothing runs on its own.
 */
export interface BenchPage {
  catalog(): {measures: MeasureInfo[]; rowEntries: string[]; page: {crossOriginIsolated: boolean; hardwareConcurrency: number; userAgent: string}};
  /** An entry of benchmarks.ts: its rows. */
  rows(name: string): Promise<BenchRow[]>;
  open(measure: string): void;
  prepare(measure: string, key: string, timeoutMs: number): Promise<PrepareOutcome>;
  sample(measure: string, key: string, timeoutMs: number): Promise<SampleOutcome>;
  close(measure: string): void;
  profile(size: number, batches: ProfileBatches, timeoutMs: number): Promise<WasmProfiles>;
  playground(options: {size: number; images: number; batch: number}): Promise<PlaygroundResult>;
}

declare global {
  interface Window {
    __bench?: BenchPage;
  }
}

const open = new Map<string, OpenMeasure>();
const opened = (name: string) => {
  const m = open.get(name);
  if (!m) throw new Error(`${name} is not open`);
  return m;
};

window.__bench = {
  catalog: () => ({
    measures: MEASURES,
    rowEntries: Object.keys(BENCHMARKS),
    page: {crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent},
  }),
  rows: (name) => BENCHMARKS[name]!(),
  open(name) {
    const info = MEASURES.find((m) => m.name === name);
    if (!info) throw new Error(`no measure ${name}`);
    open.get(name)?.close();
    open.set(name, new OpenMeasure(info));
  },
  prepare: (name, key, timeoutMs) => opened(name).prepare(key, timeoutMs),
  sample: (name, key, timeoutMs) => opened(name).sample(key, timeoutMs),
  close(name) {
    open.get(name)?.close();
    open.delete(name);
  },
  profile: profileWasm,
  playground: runPlayground,
};
document.getElementById('log')!.textContent = 'ready';
