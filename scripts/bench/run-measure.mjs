// @ts-check
import {summarize} from './stats.mjs';

/**
 * @typedef {{key: string, impl: 'ours' | 'stock' | 'torch', backend: string, threads?: number}} Alternative
 * @typedef {{name: string, title: string, kind: string, size: number, batch: number, unit: 'image' | 'epoch',
 *   perSample: number, alternatives: Alternative[], job: object | null,
 *   estimate: {from: string, factor: number} | null, targetMs: number | null}} MeasureInfo
 * @typedef {'skipped' | 'cannot' | 'failed' | 'stopped' | 'measured'} Status
 * @typedef {{ok: true, warmMs: number, setup?: object} | {ok: false, status: Status, reason: string}} Prepared
 * @typedef {{ok: true, ms: number, extra?: Record<string, number>} | {ok: false, status: Status, reason: string}} Sampled
 * @typedef {{prepare: (alt: Alternative, timeoutMs: number) => Promise<Prepared>,
 *   sample: (alt: Alternative, timeoutMs: number) => Promise<Sampled>}} Sides
 */

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * The time of one sample of `key` in this measure, estimated from what it
 * took in an earlier measure of this run (per unit, times the measure's
 * factor and units per sample); null when there is nothing to go by.
 * @param {MeasureInfo} measure
 * @param {string} key
 * @param {Map<string, any>} earlier results by measure name
 */
function estimateMs(measure, key, earlier) {
  if (!measure.estimate) return null;
  const from = earlier.get(measure.estimate.from)?.alternatives.find((/** @type {any} */ a) => a.key === key);
  return from?.perUnitMs ? from.perUnitMs.median * measure.estimate.factor * measure.perSample : null;
}

/**
 * One measure: every alternative prepared (its warm-up run untimed), then
 * `rounds` rounds, one sample of each alternative per round, interleaved so
 * that drift on the machine hits all alike. Each alternative has `budgetMs`
 * for its samples: one predicted (from an earlier measure of this run) or
 * warmed up over it is skipped; its rounds stop once its samples so far and
 * one more would pass it (the first sample is always taken). Every call has
 * a hard limit past which its worker (or process) is ended: nothing here
 * can hang.
 * @param {{measure: MeasureInfo, alternatives: Alternative[], sides: Sides, rounds: number, budgetMs: number,
 *   earlier: Map<string, any>, log: (line: string) => void}} run
 */
export async function runMeasure({measure, alternatives, sides, rounds, budgetMs, earlier, log}) {
  const states = alternatives.map((info) => ({
    info,
    /** @type {Status | 'measuring'} */ status: /** @type {any} */ ('pending'),
    /** @type {string | null} */ reason: null,
    /** @type {number | null} */ warmMs: null,
    /** @type {object | null} */ setup: null,
    /** @type {number[]} */ samplesMs: [],
    /** @type {Record<string, number>[]} */ extra: [],
    spentMs: 0,
  }));
  for (const s of states) {
    const estimate = estimateMs(measure, s.info.key, earlier);
    if (estimate !== null && estimate > budgetMs) {
      s.status = 'skipped';
      s.reason = `a sample would take ≈ ${seconds(estimate)} (from ${measure.estimate?.from}), over the ${seconds(budgetMs)} budget`;
      log(`bench ${measure.name} ${s.info.key}: skipped, ${s.reason}`);
      continue;
    }
    const prepared = await sides.prepare(s.info, budgetMs + 60_000);
    if (!prepared.ok) {
      s.status = prepared.status;
      s.reason = prepared.reason;
      log(`bench ${measure.name} ${s.info.key}: ${prepared.status}: ${prepared.reason}`);
      continue;
    }
    s.warmMs = prepared.warmMs;
    s.setup = prepared.setup ?? null;
    if (prepared.warmMs > budgetMs) {
      s.status = 'skipped';
      s.reason = `its warm-up run alone took ${seconds(prepared.warmMs)}, over the ${seconds(budgetMs)} budget`;
    } else s.status = 'measuring';
    log(`bench ${measure.name} ${s.info.key}: warm-up ${seconds(prepared.warmMs)}${s.reason ? `; skipped, ${s.reason}` : ''}`);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const s of states) {
      if (s.status !== 'measuring') continue;
      const expected = s.samplesMs.at(-1) ?? /** @type {number} */ (s.warmMs);
      if (s.samplesMs.length > 0 && s.spentMs + expected > budgetMs) {
        s.status = 'measured';
        s.reason = `${s.samplesMs.length} of ${rounds} rounds fit the ${seconds(budgetMs)} budget`;
        continue;
      }
      const sampled = await sides.sample(s.info, Math.max(budgetMs, 3 * expected) + 10_000);
      if (!sampled.ok) {
        s.status = s.samplesMs.length > 0 ? 'measured' : sampled.status;
        s.reason = `round ${round}: ${sampled.status}: ${sampled.reason}`;
        log(`bench ${measure.name} ${s.info.key}: ${s.reason}`);
        continue;
      }
      s.samplesMs.push(sampled.ms);
      s.spentMs += sampled.ms;
      if (sampled.extra) s.extra.push(sampled.extra);
      log(`bench ${measure.name} ${s.info.key}, round ${round}: ${(sampled.ms / measure.perSample).toFixed(1)} ms per ${measure.unit}`);
    }
  }
  for (const s of states) if (s.status === 'measuring') s.status = 'measured';
  const results = states.map((s) => {
    const perUnitMs = summarize(s.samplesMs.map((ms) => ms / measure.perSample));
    return {
      key: s.info.key,
      impl: s.info.impl,
      backend: s.info.backend,
      status: s.status,
      reason: s.reason,
      setup: s.setup,
      warmMs: s.warmMs,
      perUnitMs,
      /** Units (images or epochs) per second at the median. */
      rate: perUnitMs ? 1000 / perUnitMs.median : null,
      samplesPerUnitMs: s.samplesMs.map((ms) => ms / measure.perSample),
      ...(s.extra.length > 0 ? {extra: s.extra} : {}),
    };
  });
  return {...measure, rounds, budgetMs, alternatives: results, comparisons: compare(measure, results)};
}

/**
 * Ratios of medians from the same run, all "this time / that time" (below
 * 1: faster): each alternative against native PyTorch on every core, ours
 * against stock tfjs on the same backend; and ours on wasm against the
 * measure's target.
 * @param {MeasureInfo} measure
 * @param {any[]} results
 */
function compare(measure, results) {
  const median = (/** @type {string} */ key) => results.find((r) => r.key === key && r.perUnitMs)?.perUnitMs.median ?? null;
  const native = results.find((r) => r.impl === 'torch' && r.perUnitMs && r.key !== 'torch·1 thread') ?? null;
  /** @type {Record<string, number>} */
  const timesNative = {};
  if (native) for (const r of results) if (r.perUnitMs) timesNative[r.key] = r.perUnitMs.median / native.perUnitMs.median;
  /** @type {Record<string, number | string>} */
  const oursOverStock = {};
  for (const backend of ['wasm', 'webgl']) {
    const stock = results.find((r) => r.key === `stock·${backend}`);
    const ours = median(`ours·${backend}`);
    if (!stock || ours === null) continue;
    if (stock.perUnitMs) oursOverStock[backend] = ours / stock.perUnitMs.median;
    else if (stock.status === 'cannot') oursOverStock[backend] = `stock cannot (${stock.reason})`;
  }
  const ours = median('ours·wasm');
  return {
    native: native?.key ?? null,
    timesNative,
    oursOverStock,
    target: measure.targetMs === null ? null : {ms: measure.targetMs, oursWasmMs: ours, met: ours === null ? null : ours <= measure.targetMs},
  };
}
