/** Step 3: the classifier head trained on cached features. */
import type {BackendName} from './runtime.ts';
import type {FeatureSpec} from './features.ts';

export type OptimizerName = 'rmsprop' | 'adam' | 'sgd';

export interface HeadOptions {
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Stop after this many epochs without a better validation loss, and go back to the best epoch. */
  earlyStoppingPatience: number | null;
}

export interface HeadRequest {
  /** Which cached features to train on (the feature step's result). */
  spec: FeatureSpec;
  options?: Partial<HeadOptions>;
}

/** One epoch of training, as the curves plot it. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  /** tf.memory().numTensors after the epoch: flat from epoch to epoch, or something leaks. */
  numTensors: number;
}

export interface HeadResult {
  history: EpochLog[];
  /** The epoch with the lowest validation loss (1-based). */
  bestEpoch: number;
  /** Early stopping ended the run and the weights of `bestEpoch` were put back. */
  stoppedEarly: boolean;
  classes: string[];
  trainCount: number;
  validationCount: number;
  backend: BackendName;
}

/** The trained head the worker holds (this visit's, or kept from an earlier one). */
export interface HeadInfo {
  datasetId: string;
  classes: string[];
  spec: FeatureSpec;
  seed: number;
  /** The settings it was trained with; missing for a head kept by a version that did not record them. */
  options?: HeadOptions;
  /** When it was trained (ms since the epoch). */
  trainedAt: number;
  /** Read back from storage rather than trained in this visit. */
  restored: boolean;
}
