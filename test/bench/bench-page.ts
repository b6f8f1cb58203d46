import {BENCHMARKS, type BenchRow} from './benchmarks.ts';

/**
 * Runs the benchmarks named in ?only= (all by default) and leaves the
 * rows in window.__bench for scripts/bench.mjs to print.
 */
declare global {
  interface Window {
    __bench?: {rows: BenchRow[]; error?: string; done: boolean};
  }
}

const only = new URLSearchParams(location.search).get('only')?.split(',').filter(Boolean) ?? [];
const state: NonNullable<Window['__bench']> = {rows: [], done: false};
window.__bench = state;
const log = document.getElementById('log')!;
log.textContent = '';

try {
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`bench ${name}…`);
    for (const row of await run()) {
      state.rows.push({...row, bench: name});
      log.textContent += `${name}\t${row.label}\t${row.value}\t${row.unit}\n`;
    }
  }
} catch (err) {
  state.error = `${(err as Error).name}: ${(err as Error).message}`;
} finally {
  state.done = true;
}
