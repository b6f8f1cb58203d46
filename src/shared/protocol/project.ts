/** A saved project: the dataset, what was trained on it, and the page around it, in one file. */
import type {BackendName} from './runtime.ts';
import type {DatasetManifest, ImportOptions} from './dataset.ts';
import type {EvaluationResult} from './evaluation.ts';
import type {FeatureRunOptions, FeatureSpec} from './features.ts';
import type {CheckpointInfo, FineTuneOptions} from './fine-tune.ts';
import type {EpochLog, HeadInfo, HeadOptions} from './head.ts';
import type {WeightsSource} from './weights.ts';

/** The weights a project (or a run) was made with: enough to find them again. */
export interface WeightsRecord {
  id: string;
  label: string;
  widths: number[];
  /** How to load them again; a dropped file is found by its id among the kept ones. */
  source: Exclude<WeightsSource, {kind: 'file'}> | null;
}

/** One training run as the curves draw it. */
export interface CurveRecord {
  id: string;
  phase: 'head' | 'fine-tune';
  label: string;
  history: EpochLog[];
  bestEpoch?: number;
  phaseChanges?: number[];
  /** The run whose first epochs this one repeats (a fine-tuning run's head run). */
  continues?: {id: string; epochs: number};
}

/** What the page keeps in a project: its settings, its curves, its last results. Opaque to the worker. */
export interface ProjectPage {
  features: Required<FeatureRunOptions>;
  head: HeadOptions;
  fineTune: FineTuneOptions;
  curves: CurveRecord[];
  /** The last evaluation of each model. */
  results: EvaluationResult[];
}

export interface ProjectSaveRequest {
  page: ProjectPage;
  weights: WeightsRecord | null;
  /**
   * Where to write: a file the user picked (File System Access), or one in
   * the origin's private file system. Without one, the project comes back
   * as a Blob to download.
   */
  target?: FileSystemFileHandle;
}

export interface ProjectSaved {
  /** The file, when no target was given. */
  blob?: Blob;
  bytes: number;
  /** What went in, for the page to say. */
  contents: {images: number; features: number; head: boolean; fineTunedEpoch: number | null};
}

/** A project opened: the dataset is imported, the head, the checkpoint and the features are back in place. */
export interface ProjectOpened {
  manifest: DatasetManifest;
  head: HeadInfo | null;
  checkpoint: CheckpointInfo | null;
  /** The cached features that came with it. */
  features: {spec: FeatureSpec; count: number} | null;
  weights: WeightsRecord | null;
  page: ProjectPage;
  savedAt: number;
  appVersion: string;
  /** What could not be restored, and why (e.g. a head made for another split). */
  notes: string[];
}

/**
 * Everything that decides a run's numbers: replaying it on the same
 * dataset, weights and backends gives the same metrics.
 */
export interface RunManifest {
  format: 'transfer-lab-run';
  schema: 1;
  appVersion: string;
  createdAt: number;
  dataset: {id: string; name: string; options: ImportOptions | null; counts: Record<'train' | 'validation' | 'test', number>};
  weights: WeightsRecord;
  backends: {inference: BackendName; training: BackendName};
  features: Required<FeatureRunOptions>;
  head: HeadOptions;
  fineTune: FineTuneOptions | null;
  /** The test-split scores the run got, per model. */
  results: {head?: RunScore; fineTuned?: RunScore};
}

export interface RunScore {
  accuracy: number;
  loss: number;
  /** Per test image, in order: the predicted class. */
  predicted: number[];
}
