/**
 * Classification metrics from true and predicted labels. Pure functions
 * (no DOM, no tfjs) so the worker and the page agree on every number.
 */

/** matrix[true][predicted] = how many images of class `true` were predicted as `predicted`. */
export function confusionMatrix(truth: readonly number[], predicted: readonly number[], classCount: number): number[][] {
  const matrix = Array.from({length: classCount}, () => new Array<number>(classCount).fill(0));
  truth.forEach((t, i) => matrix[t]![predicted[i]!]!++);
  return matrix;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Images of this class in the evaluated split. */
  support: number;
}

/** Per-class precision, recall and F1; 0 where a ratio has nothing to divide by (as scikit-learn reports with zero_division=0). */
export function perClassMetrics(matrix: readonly number[][]): ClassMetrics[] {
  return matrix.map((row, c) => {
    const truePositives = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAsC = matrix.reduce((sum, r) => sum + r[c]!, 0);
    const precision = predictedAsC > 0 ? truePositives / predictedAsC : 0;
    const recall = support > 0 ? truePositives / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return {precision, recall, f1, support};
  });
}

export function accuracyOf(matrix: readonly number[][]): number {
  const total = matrix.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  const correct = matrix.reduce((sum, row, c) => sum + row[c]!, 0);
  return total > 0 ? correct / total : 0;
}
