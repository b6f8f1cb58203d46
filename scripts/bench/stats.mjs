// @ts-check

/**
 * Median and spread of some samples: min, max and the quartiles
 * (linear interpolation between the sorted samples, as numpy's default).
 * @param {number[]} values
 */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  };
  if (sorted.length === 0) return null;
  return {n: sorted.length, median: at(0.5), min: sorted[0], max: sorted.at(-1), q1: at(0.25), q3: at(0.75)};
}
