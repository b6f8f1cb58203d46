import {toCsv} from '../shared/csv.ts';
import type {DatasetManifest, EvaluationResult} from '../shared/protocol/index.ts';

/**
 * One row per evaluated image: path, split, true class, predicted class,
 * probability, correct (RFC 4180, formula-like fields defused: see toCsv).
 */
export function predictionsCsv(result: EvaluationResult, manifest: Pick<DatasetManifest, 'images'>): string {
  const rows = [['path', 'split', 'true', 'predicted', 'probability', 'correct']];
  for (const p of result.predictions) {
    rows.push([
      manifest.images[p.image]?.path ?? `#${p.image}`,
      result.split,
      result.classes[p.truth]!,
      result.classes[p.predicted]!,
      p.probability.toFixed(6),
      String(p.truth === p.predicted),
    ]);
  }
  return toCsv(rows);
}
