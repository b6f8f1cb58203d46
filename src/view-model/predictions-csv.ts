import type {DatasetManifest, EvaluationResult} from '../shared/protocol/index.ts';

/**
 * One row per evaluated image: path, split, true class, predicted class,
 * probability, correct. Fields are quoted as RFC 4180 asks, and a field that
 * a spreadsheet would run as a formula (=, +, -, @) is prefixed with ' —
 * file names come from an untrusted zip.
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
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
