import {WASM_MAX_THREADS} from '../../workers/runtime/wasm-threads.ts';
import type {BenchRow} from './benchmarks.ts';
import type {WasmBenchJob, WasmBenchMessage, WasmBenchResult, WasmBenchSetup} from './wasm-training.worker.ts';

/** A worker with its own wasm backend (threads, kernels) that runs measurements one at a time. */
class WasmBenchWorker {
  readonly #worker = new Worker(new URL('./wasm-training.worker.ts', import.meta.url), {type: 'module', name: 'wasm-bench'});
  threads = 0;

  static async start(setup: WasmBenchSetup): Promise<WasmBenchWorker> {
    const bench = new WasmBenchWorker();
    bench.threads = (await bench.#ask({setup})) as number;
    return bench;
  }

  async run(job: WasmBenchJob): Promise<WasmBenchResult> {
    return (await this.#ask({job})) as WasmBenchResult;
  }

  dispose(): void {
    this.#worker.terminate();
  }

  #ask(message: WasmBenchMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#worker.onmessage = ({data}) => (data.error ? reject(new Error(data.error)) : resolve(data.threads ?? data.result));
      this.#worker.onerror = (event) => reject(new Error(event.message || 'the bench worker failed'));
      this.#worker.postMessage(message);
    });
  }
}

export interface Variant {
  /** Speed-ups are reported against the first variant of the same group. */
  group: string;
  label: string;
  setup: WasmBenchSetup;
  job: WasmBenchJob;
}

/**
 * Runs each variant `rounds` times, interleaved (a b c, a b c, …), each
 * time in a fresh worker (which measures its job `repeats` times); keeps
 * each variant's fastest time per image (the least disturbed by whatever
 * else runs on the machine).
 */
type Best = Map<string, WasmBenchResult & {threads: number; group: string}>;

export async function compareVariants(variants: Variant[], rounds: number, log: (line: string) => void = console.log): Promise<Best> {
  const best: Best = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const worker = await WasmBenchWorker.start(v.setup);
      try {
        const result = await worker.run(v.job);
        log(`bench ${v.label}, round ${round + 1}: ${result.perImageMs.toFixed(0)} ms per image (${worker.threads} thread${worker.threads === 1 ? '' : 's'}), wasm memory ${result.heapMiB.toFixed(0)} MiB`);
        const kept = best.get(v.label);
        if (!kept || result.perImageMs < kept.perImageMs) best.set(v.label, {...result, threads: worker.threads, group: v.group});
      } finally {
        worker.dispose();
      }
    }
  }
  return best;
}

/** Rows for the table: each variant's best time per image, and its speed-up over the first of its group. */
export function rowsOf(best: Best): BenchRow[] {
  const rows: BenchRow[] = [];
  const firsts = new Map<string, [string, number]>();
  for (const [label, r] of best) {
    rows.push({label: `${label} (${r.threads} thread${r.threads === 1 ? '' : 's'})`, value: Math.round(r.perImageMs), unit: 'ms/image'});
    const first = firsts.get(r.group);
    if (!first) firsts.set(r.group, [label, r.perImageMs]);
    else rows.push({label: `  speed-up over "${first[0]}"`, value: Number((first[1] / r.perImageMs).toFixed(2)), unit: '×'});
    rows.push({label: '  wasm memory at its peak', value: Math.round(r.heapMiB), unit: 'MiB'});
    const top = r.kernels.slice(0, 4).map((k) => `${k.kernel} ${(k.share * 100).toFixed(0)} %`).join(', ');
    rows.push({label: `  where the time goes: ${top}`, value: Number.NaN, unit: ''});
  }
  return rows;
}

const cores = () => Math.min(navigator.hardwareConcurrency || 1, WASM_MAX_THREADS);

/**
 * Fine-tuning on wasm at one input size, from tfjs's stock kernels to what
 * runs now: our Conv2DBackpropFilter with wasm's own (scalar)
 * Conv2DBackpropInput, our faster one, blocks 1–4 off the tape, then every
 * core. Per training image, training step only (no validation).
 */
export function fineTuneVariants(size: number, batch: number, repeats = 3): Variant[] {
  const step = (what: WasmBenchJob['what']): WasmBenchJob => ({what, size, batch, repeats});
  const group = `step-${size}`;
  return [
    {group, label: `${size}×${size} step, whole network on the tape, wasm's stock dx kernel`, setup: {threads: 1, stockInputGradient: true}, job: step('step-whole')},
    {group, label: `${size}×${size} step, whole network on the tape, our dx kernel`, setup: {threads: 1}, job: step('step-whole')},
    {group, label: `${size}×${size} step, blocks 1–4 predicted, block5 + head trained`, setup: {threads: 1}, job: step('step-split')},
    {group, label: `${size}×${size} step, the same on every core`, setup: {threads: cores()}, job: step('step-split')},
  ];
}

/** VGG16 features on wasm: tfjs's default thread count on this machine (half the cores) against every core. */
export function featureVariants(size: number, batch: number, repeats = 3): Variant[] {
  const job: WasmBenchJob = {what: 'features', size, batch, repeats};
  return [
    {group: `features-${size}`, label: `${size}×${size} features, tfjs's default threads`, setup: {threads: Math.max(1, Math.floor(cores() / 2))}, job},
    {group: `features-${size}`, label: `${size}×${size} features, every core`, setup: {threads: cores()}, job},
  ];
}

/** The fine-tuning step as it runs now (every core) at several batch sizes: whether the batch size matters on wasm. */
export function batchVariants(size: number, batches: number[], repeats = 3): Variant[] {
  return batches.map((batch) => ({group: `batch-${size}`, label: `${size}×${size} step, batch ${batch}`, setup: {threads: cores()}, job: {what: 'step-split', size, batch, repeats}}));
}
