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

export const MEASURE_HEADER = ['measure', 'alternative', 'rate (median)', `per unit: median [min–max]`, 'n', '× native', 'note'];

/**
 * The comparisons in words: ours on wasm against native and its target,
 * and ours against stock tfjs.
 * @param {any} m
 */
export function comparisonLines(m) {
  const lines = [];
  const c = m.comparisons;
  if (c.target) {
    const t = c.target;
    lines.push(
      t.oursWasm === null
        ? `${m.name}: ours·wasm vs ${c.native ?? 'native'}: not measured (target ≤ ${t.timesNative}×)`
        : `${m.name}: ours·wasm takes ${t.oursWasm.toFixed(2)}× the time of ${c.native}; target ≤ ${t.timesNative}× — ${t.met ? 'met' : 'not met'}`,
    );
  }
  for (const [backend, v] of Object.entries(c.oursOverStock)) {
    lines.push(`${m.name}: stock·${backend} time / ours·${backend} time: ${typeof v === 'number' ? `${v.toFixed(2)}×` : v}`);
  }
  return lines;
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
