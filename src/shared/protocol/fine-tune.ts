/** Step 4: block5 fine-tuned with the head, on augmented images, with checkpoints. */
import type {BackendName} from './runtime.ts';
import type {FeatureSpec, ResizeMethod} from './features.ts';
import type {EpochLog} from './head.ts';

/**
 * Keras ImageDataGenerator's random transforms, with its meanings: degrees
 * for rotation and shear, fractions of the size for shifts, ±range around 1
 * for zoom. Edges are filled with the nearest pixel.
 */
export interface AugmentSettings {
  rotationRange: number;
  widthShiftRange: number;
  heightShiftRange: number;
  shearRange: number;
  zoomRange: number;
  horizontalFlip: boolean;
}

export interface FineTuneOptions {
  learningRate: number;
  momentum: number;
  epochs: number;
  batchSize: number;
  seed: number;
  augment: AugmentSettings;
}

/**
 * A new run (any options not given are the tutorial's), or `resume` from a
 * checkpoint: the run `runId` names, by default this dataset's (the run this
 * page worked on, else the newest).
 */
export type FineTuneRequest = Partial<FineTuneOptions> & {resume?: boolean; runId?: string};

export interface FineTuneResult {
  history: EpochLog[];
  /** Epochs done before this call (from a checkpoint); 0 for a fresh run. */
  resumedFrom: number;
  backend: BackendName;
  /** The run: its checkpoints are kept under this id. */
  runId: string;
}

/** What the last fine-tuning checkpoint holds, for "resume" in the UI. */
export interface CheckpointInfo {
  /** The run it belongs to (each run, and each tab's, keeps its own). */
  runId: string;
  datasetId: string;
  epoch: number;
  epochs: number;
  history: EpochLog[];
  spec: FeatureSpec;
  options: FineTuneOptions;
  /** When the checkpoint was written (ms since the epoch). */
  savedAt: number;
}

/** `count` augmented versions of one dataset image, drawn from `seed`. */
export interface PreviewRequest {
  image: number;
  count: number;
  seed: number;
  augment: AugmentSettings;
  size: number;
  resize: ResizeMethod;
}
