import type {EvaluationResult} from '../shared/protocol/index.ts';

/** How an exported model's predictions compare with the app's own, image by image. */
export interface PredictionParity {
  /** Images both scored. */
  compared: number;
  /** Images scored by only one of the two (another split or dataset). */
  unmatched: number;
  /** Manifest indices of the images given another class. */
  otherClass: number[];
  /** The largest difference in the predicted class's probability, over images given the same class. */
  maxProbabilityDifference: number;
  /** Every image scored by both, each with the same class and a probability within the tolerance. */
  equal: boolean;
}

/**
 * The parity check a user can run after loading an export back: its
 * predictions on the test split against the app's evaluation of the model
 * it came from. Two backends (or two builds of one) compute in float32 in
 * different orders, so probabilities may differ in the last digits:
 * `tolerance` says by how much they may.
 */
export function predictionParity(app: Pick<EvaluationResult, 'predictions'>, exported: Pick<EvaluationResult, 'predictions'>, tolerance = 1e-4): PredictionParity {
  const theirs = new Map(exported.predictions.map((p) => [p.image, p]));
  const otherClass: number[] = [];
  let compared = 0;
  let maxProbabilityDifference = 0;
  for (const ours of app.predictions) {
    const other = theirs.get(ours.image);
    if (!other) continue;
    compared++;
    if (other.predicted !== ours.predicted) otherClass.push(ours.image);
    else maxProbabilityDifference = Math.max(maxProbabilityDifference, Math.abs(other.probability - ours.probability));
  }
  const unmatched = app.predictions.length + exported.predictions.length - 2 * compared;
  return {
    compared,
    unmatched,
    otherClass,
    maxProbabilityDifference,
    equal: compared > 0 && unmatched === 0 && otherClass.length === 0 && maxProbabilityDifference <= tolerance,
  };
}
