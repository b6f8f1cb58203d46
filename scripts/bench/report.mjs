// @ts-check

/**
 * Lines of text laid out in columns (the first row is the header).
 * @param {string[][]} rows
 */
export function columns(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

const ms = (/** @type {number} */ v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rate = (/** @type {number} */ v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * A measure's rows: each alternative's rate at the median, its time per
 * unit (median, and min–max over the rounds), the rounds, its time against
 * native PyTorch, and why it was not measured.
 * @param {any} m a result of runMeasure
 */
export function measureRows(m) {
  return m.alternatives.map((/** @type {any} */ a) => {
    const threads = a.impl !== 'torch' && a.setup?.threads ? ` (${a.setup.threads} thr)` : '';
    const times = m.comparisons.timesNative[a.key];
    const s = a.perUnitMs;
    return [
      m.name,
      `${a.key}${threads}`,
      s ? `${rate(a.rate)} ${m.unit}s/s` : a.status,
      s ? `${ms(s.median)} ms [${ms(s.min)}–${ms(s.max)}]` : '',
      s ? String(s.n) : '',
      times !== undefined ? `${times.toFixed(2)}×` : '',
      a.status === 'measured' ? (a.reason ?? '') : (a.reason ?? '').slice(0, 110),
    ];
  });
}

export const MEASURE_HEADER = ['measure', 'alternative', 'rate (median)', `per unit: median [min–max]`, 'n', '× PyTorch', 'note'];

/**
 * The comparisons in words: ours on wasm against its target, against
 * stock tfjs and against native PyTorch (times, so below 1× is faster).
 * @param {any} m
 */
export function comparisonLines(m) {
  const lines = [];
  const c = m.comparisons;
  const perUnit = `ms per ${m.unit}`;
  if (c.target) {
    const t = c.target;
    lines.push(
      t.oursWasmMs === null
        ? `${m.name}: ours·wasm not measured (target ≤ ${t.ms} ${perUnit})`
        : `${m.name}: ours·wasm ${ms(t.oursWasmMs)} ${perUnit}; target ≤ ${t.ms} — ${t.met ? 'met' : 'missed'} by ${ms(Math.abs(t.ms - t.oursWasmMs))} ms (${((t.oursWasmMs / t.ms - 1) * 100).toFixed(0)} %)`,
    );
  }
  for (const [backend, v] of Object.entries(c.oursOverStock)) {
    lines.push(`${m.name}: ours·${backend} / stock·${backend}: ${typeof v === 'number' ? `${v.toFixed(2)}×` : v}`);
  }
  if (c.native && c.timesNative['ours·wasm'] !== undefined) lines.push(`${m.name}: ours·wasm / ${c.native}: ${c.timesNative['ours·wasm'].toFixed(2)}×`);
  return lines;
}

export const SUMMARY_HEADER = ['measure', 'ours·wasm', 'stock·wasm', 'PyTorch (all cores)', 'ours / stock', 'ours / PyTorch', 'target'];

/**
 * One row per measure, the comparison the bench is for: ours, stock tfjs and
 * PyTorch (every core) on the measure's unit, medians, and their ratios.
 * @param {any} m a result of runMeasure
 */
export function summaryRow(m) {
  const c = m.comparisons;
  const median = (/** @type {string | null} */ key) => m.alternatives.find((/** @type {any} */ a) => a.key === key)?.perUnitMs?.median ?? null;
  const status = (/** @type {string} */ key) => m.alternatives.find((/** @type {any} */ a) => a.key === key)?.status ?? 'not run';
  const cell = (/** @type {string | null} */ key) => {
    const v = key === null ? null : median(key);
    return v === null ? (key === null ? 'not run' : status(key)) : `${ms(v)} ms`;
  };
  const stock = c.oursOverStock.wasm;
  const target = c.target;
  return [
    `${m.name} (per ${m.unit})`,
    cell('ours·wasm'),
    cell('stock·wasm'),
    cell(c.native),
    typeof stock === 'number' ? `${stock.toFixed(2)}×` : stock === undefined ? '–' : 'stock cannot',
    c.timesNative['ours·wasm'] === undefined ? '–' : `${c.timesNative['ours·wasm'].toFixed(2)}×`,
    target ? `≤ ${target.ms} ms: ${target.met === null ? 'not measured' : target.met ? 'met' : 'missed'}` : '',
  ];
}

/**
 * Where the time goes: the slowest kernels of a profile.
 * @param {string} title
 * @param {any} profile
 * @param {'byKernel' | 'byShape'} by
 * @param {number} top
 */
export function profileLines(title, profile, by, top) {
  return [
    `${title}: wall ${profile.wallMs.toFixed(0)} ms, kernels ${profile.kernelMs.toFixed(0)} ms`,
    ...profile[by]
      .slice(0, top)
      .map((/** @type {any} */ k) => `  ${(k.share * 100).toFixed(1).padStart(5)} %  ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(4)}×  ${k.kernel}${by === 'byShape' ? `  ${k.shapes}` : ''}`),
  ];
}
