/** Step 5: a model scored on a split. */
import type {ClassMetrics} from '../metrics.ts';
import type {Split} from './dataset.ts';

export interface EvaluationRequest {
  /** The test split unless said otherwise. */
  split?: Split;
}

/** One image's prediction on the evaluated split. */
export interface ImagePrediction {
  /** Index into the manifest's images. */
  image: number;
  truth: number;
  predicted: number;
  /** The model's probability for the class it predicted. */
  probability: number;
}

export interface EvaluationResult {
  split: Split;
  /** The dataset (and split) the numbers are about. */
  datasetId: string;
  /** Which model was evaluated. */
  model: 'head' | 'fine-tuned';
  loss: number;
  accuracy: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClass: ClassMetrics[];
  predictions: ImagePrediction[];
  classes: string[];
}
