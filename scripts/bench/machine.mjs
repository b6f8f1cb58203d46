// @ts-check
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import os from 'node:os';

/** The machine as a benchmark result needs it: what ran, on what, from which commit. */
export function describeMachine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  /** @type {string[]} */
  let simd = [];
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpuModel;
    const flags = new Set((/^flags\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
    simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni'].filter((f) => flags.has(f));
  } catch {
    // Not Linux: os.cpus() has the model.
  }
  const git = (...args) => {
    try {
      return execFileSync('git', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
    } catch {
      return null;
    }
  };
  return {
    cpuModel,
    simd,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedChanges: (git('status', '--porcelain') ?? '') !== '',
  };
}

/** 1-, 5- and 15-minute load averages, two decimals. */
export const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/**
 * Waits until the 1-minute load is at most `maxLoad` (other work on a
 * shared machine skews every figure), checking every 30 s, for at most
 * `maxMinutes`. Returns the loads seen.
 * @param {number} maxLoad
 * @param {number} maxMinutes
 * @param {(line: string) => void} log
 */
export async function waitForQuiet(maxLoad, maxMinutes, log) {
  const seen = [];
  const until = Date.now() + maxMinutes * 60_000;
  for (;;) {
    const load = loadAverage()[0];
    seen.push(load);
    if (load <= maxLoad) return {quiet: true, seen};
    if (Date.now() >= until) {
      log(`bench: the 1-minute load is still ${load} after ${maxMinutes} min; measuring anyway`);
      return {quiet: false, seen};
    }
    log(`bench: 1-minute load ${load} > ${maxLoad}; waiting…`);
    await new Promise((r) => setTimeout(r, 30_000));
  }
}
