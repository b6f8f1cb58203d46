/**
 * The trained classifier as a file (a zip: tfjs layers model, Keras HDF5,
 * metadata.json), and an exported zip loaded back to predict.
 */
import type {BackendName} from './runtime.ts';
import type {SkippedFile, Split, SplitFractions} from './dataset.ts';
import type {EvaluationResult} from './evaluation.ts';
import type {Preprocessing, ResizeMethod} from './features.ts';
import type {FineTuneOptions} from './fine-tune.ts';
import type {EpochLog, HeadOptions} from './head.ts';

/** The head on the conv base, or the fine-tuned model (block5 and the head from the last checkpoint). */
export type ExportedModel = 'head' | 'fine-tuned';

/** A model's scores on a split, as step 5 gives them (its per-image predictions are not needed). */
export type ExportEvaluation = Pick<EvaluationResult, 'split' | 'datasetId' | 'model' | 'classes' | 'loss' | 'accuracy' | 'confusion' | 'perClass'>;

export interface ExportRequest {
  model: ExportedModel;
  /**
   * This model's evaluation (step 5), when it was evaluated: its metrics go
   * into metadata.json. It must be of the same model and dataset.
   */
  evaluation?: ExportEvaluation;
}

/** Paths inside the zip. */
export const EXPORT_FILES = {
  metadata: 'metadata.json',
  tfjs: 'tfjs/model.json',
  keras: 'keras/model.h5',
} as const;

export const EXPORT_FORMAT = 'transfer-lab-model';
/** Bump when metadata.json changes in a way an older reader would misread. */
export const EXPORT_SCHEMA_VERSION = 1;

/** PIL's name for each resize method (what Keras's `load_img(interpolation=…)` calls it, lower-cased). */
export const PIL_FILTERS: Record<ResizeMethod, 'NEAREST' | 'BILINEAR' | 'BICUBIC' | 'BOX'> = {
  nearest: 'NEAREST',
  bilinear: 'BILINEAR',
  bicubic: 'BICUBIC',
  area: 'BOX',
};

/** Exactly what to do to an RGB image before the model, in this order. */
export interface ExportPreprocessing {
  /** How the file becomes RGB pixels. */
  decode: {
    exifOrientation: 'applied';
    /** Grey and palette images become RGB with R = G = B, as PIL's convert('RGB') does. */
    grey: 'replicated to RGB';
    /** Alpha is dropped; fully transparent pixels read as black. */
    alpha: 'dropped';
  };
  /** Stretched to the input size (the aspect ratio is not kept), computed as Pillow 9.4's Image.resize does. */
  resize: {
    method: ResizeMethod;
    /** `image.convert('RGB').resize((width, height), Image.<pil>)`. */
    pil: (typeof PIL_FILTERS)[ResizeMethod];
    width: number;
    height: number;
    keepAspectRatio: false;
  };
  /** 'caffe' (Keras's VGG16 preprocess_input) or 'rescale' (the tutorial's 1/255). */
  mode: Preprocessing;
  /** The order of the channels the model takes. */
  channelOrder: 'RGB' | 'BGR';
  /** Subtracted from each channel, in `channelOrder`, before scaling. */
  mean: [number, number, number];
  scale: number;
  /** The rule in one line. */
  formula: string;
}

/** metadata.json: everything needed to use the model without Transfer Lab, and where it came from. */
export interface ExportMetadata {
  format: typeof EXPORT_FORMAT;
  schemaVersion: typeof EXPORT_SCHEMA_VERSION;
  model: ExportedModel;
  /** ISO 8601. */
  exportedAt: string;
  app: {name: string; version: string};
  files: {tfjs: typeof EXPORT_FILES.tfjs; keras: typeof EXPORT_FILES.keras};
  /** Class names in output order. */
  classes: string[];
  output: {
    /** 1 (sigmoid: the probability of classes[1]) for two classes, else one softmax unit per class. */
    units: number;
    activation: 'sigmoid' | 'softmax';
    meaning: string;
  };
  input: {height: number; width: number; channels: 3; layout: 'NHWC'; dtype: 'float32'};
  preprocessing: ExportPreprocessing;
  backbone: {
    /** How the app named the weights (e.g. "Random weights …", a URL, an .h5 file). */
    label: string;
    /** VGG16's weights id: SHA-256 of their bytes, or the random seed. */
    weightsId: string;
    /** Filters per block, block1…block5. */
    widths: number[];
    /** Parameters of the whole classifier (conv base and head). */
    params: number;
  };
  training: {
    /** The head's settings and seed; options is null for a head kept by an older version, which did not record them. */
    head: {seed: number; options: HeadOptions | null; trainedAt: string} | null;
    /** The fine-tuning run (its settings and seed), for the fine-tuned model; null for the head. */
    fineTune: {options: FineTuneOptions; epochs: number; history: EpochLog[]; savedAt: string} | null;
  };
  dataset: {
    id: string;
    name: string;
    /** counts[split][class], in `classes` order. */
    counts: Record<Split, number[]>;
    /** How the split was drawn, for zips of class folders. */
    split: {seed: number; fractions: SplitFractions} | null;
  };
  /** The model's scores when it was evaluated before the export, else null. */
  evaluation: Omit<ExportEvaluation, 'datasetId' | 'model' | 'classes'> | null;
}

export interface ExportResult {
  /** The zip, to save as `fileName`. */
  zip: Blob;
  fileName: string;
  metadata: ExportMetadata;
  /** Sizes: the tfjs weights, the .h5 file, the whole zip. */
  bytes: {tfjsWeights: number; keras: number; zip: number};
}

export interface OpenExportRequest {
  /** An exported zip, as dropped: it crosses as a File (a reference, not its bytes). */
  file: File;
}

/** The exported model the worker holds. */
export interface LoadedExportInfo {
  fileName: string;
  bytes: number;
  params: number;
  metadata: ExportMetadata;
  /** Where it runs (the inference backend). */
  backend: BackendName;
}

export interface ExportSplitRequest {
  /** The test split unless said otherwise. */
  split?: Split;
}

/** Images named by where they came from (a folder drop's relative path). */
export interface NamedFile {
  file: File;
  path: string;
}

export interface PredictImagesRequest {
  /** Image files, or zips of images, as dropped. A zip's entries are named `<zip name>/<path inside>`. */
  files: Array<File | NamedFile>;
  /** Classes listed per image, most probable first: 3 by default, at most the number of classes. */
  topK?: number;
}

export interface ClassProbability {
  /** Index in the metadata's classes. */
  label: number;
  class: string;
  probability: number;
}

export interface NewImagePrediction {
  path: string;
  /** The top-k classes, most probable first. */
  top: ClassProbability[];
}

export interface PredictImagesResult {
  model: ExportedModel;
  classes: string[];
  predictions: NewImagePrediction[];
  /** Image files that could not be used, with why (as a dataset import lists them). */
  skipped: SkippedFile[];
  /** Files passed over as not images (OS litter, documents), with a few examples. */
  ignored: {count: number; examples: string[]};
  /** One row per image: path, then each top-k class and its probability (RFC 4180; formula-like fields defused). */
  csv: string;
}
