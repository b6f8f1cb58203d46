/** Step 1: a zipped image dataset, as imported, checked and split. */
import type {ResizeMethod} from './features.ts';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Fractions of each class that go to each split when the zip has only class folders. */
export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export interface ImportOptions {
  /** Seed of the stratified split (only used for zips with class folders only). */
  seed?: number;
  fractions?: SplitFractions;
}

/** Safety caps for an import (a dropped zip is untrusted input). */
export interface ImportLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry's uncompressed size; larger ones are skipped as too large. */
  maxEntryBytes: number;
  /** Uncompressed : compressed, checked on entries over 1 MiB (deflate tops out near 1032:1). */
  maxCompressionRatio: number;
  maxImageSide: number;
  maxImagePixels: number;
}

export interface ImportRequest {
  /** The zip, as dropped: it crosses to the worker as a File (a reference, not its bytes). */
  file: File;
  options?: ImportOptions;
  limits?: Partial<ImportLimits>;
}

/** Images of the dataset, decoded and resized to size×size. */
export interface PixelsRequest {
  indices: number[];
  size: number;
  resize: ResizeMethod;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

/** One usable image of the dataset. */
export interface DatasetImage {
  /** SHA-256 of the file's bytes: the key of every later cache. */
  hash: string;
  /** The path inside the zip, for display only (bidi controls stripped; render as text). */
  path: string;
  label: number;
  split: Split;
  format: ImageFormat;
  width: number;
  height: number;
  /** A small square preview (WebP, cropped to the centre) for galleries. */
  thumbnail: Blob;
}

/** Why a file that looked like an image was left out. */
export type SkipReason = 'empty' | 'undecodable' | 'truncated' | 'too-large' | 'unsupported-format';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  message: string;
}

export type DatasetWarning =
  | {kind: 'imbalance'; message: string}
  | {kind: 'duplicate-across-splits'; message: string; hash: string; paths: string[]}
  | {kind: 'skipped-files'; message: string}
  | {kind: 'missing-test-class'; message: string};

export interface DatasetManifest {
  /** Stable id: a hash over every image's hash, label and split. */
  id: string;
  /** The zip's file name. */
  name: string;
  /** 'splits': train/validation/test folders in the zip; 'classes': class folders, split here. */
  layout: 'splits' | 'classes';
  /** The single folder everything sat in, if any. */
  wrapper: string | null;
  /** Class names in label order (sorted, as Keras's flow_from_directory does). */
  classes: string[];
  images: DatasetImage[];
  /** counts[split][label]. */
  counts: Record<Split, number[]>;
  skipped: SkippedFile[];
  /** Files deliberately passed over (OS metadata, non-image files, files outside class folders), with a few examples. */
  ignored: {count: number; examples: string[]};
  warnings: DatasetWarning[];
  /** How the split was made, for 'classes' zips. */
  split: {seed: number; fractions: SplitFractions} | null;
  /** Whether the zip is kept for the next visit, and why not if not. */
  stored: boolean;
  storeProblem?: string;
  /** When the kept copy was written (ms since the epoch); null when it is not kept. */
  savedAt: number | null;
}
