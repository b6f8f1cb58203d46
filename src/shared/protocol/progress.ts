/**
 * What a long job tells while it runs. Every job takes one callback and
 * sends it these; throttled to about 10 Hz, the first and the last always sent.
 */
import type {EpochLog} from './head.ts';

export interface ProgressCounts {
  done: number;
  total: number;
  /** Units (images, files, bytes) per second since the job started. */
  rate: number;
  /** Seconds left at that rate; null until there is a rate. */
  etaSeconds: number | null;
}

export type Progress =
  /** Entries of the zip looked at, and how many were usable images. */
  | ({kind: 'import'; images: number} & ProgressCounts)
  /** Images whose features are ready; `cached` of them came from IndexedDB. */
  | ({kind: 'features'; cached?: number} & ProgressCounts)
  /** Bytes of the weights: downloaded (or read from a file), then checked and kept. */
  | ({kind: 'weights'; stage: 'download' | 'read' | 'store'} & ProgressCounts)
  /** Images of the split scored. */
  | ({kind: 'evaluation'} & ProgressCounts)
  /** Images whose Grad-CAM maps are done. */
  | ({kind: 'explain'} & ProgressCounts)
  /** Bytes of a project file written, or read and put back in place. */
  | ({kind: 'project'; stage: 'write' | 'read'} & ProgressCounts)
  /** Bytes of an exported model: written into the zip (its tfjs weights, then its .h5), or read back from one. */
  | ({kind: 'export'; stage: 'tfjs' | 'keras' | 'read'} & ProgressCounts)
  /** Images of the dataset written into a zip by their split. */
  | ({kind: 'split-zip'} & ProgressCounts)
  /** Files (and zip entries) of new images looked at; `predicted` of them were images the model scored. */
  | ({kind: 'prediction'; predicted: number} & ProgressCounts)
  /**
   * Training images of this run (all its epochs) gone through; `epoch` and
   * `batch` say where it is, `loss` and `accuracy` are the running means
   * of the epoch so far (null before its first batch ends).
   */
  | ({
      kind: 'fine-tune';
      stage: 'train' | 'validate' | 'checkpoint';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      loss: number | null;
      accuracy: number | null;
    } & ProgressCounts);

export type ProgressKind = Progress['kind'];

/** An epoch of the head or of fine-tuning has ended. */
export interface EpochEvent {
  kind: 'epoch';
  log: EpochLog;
}

/** What a job's callback receives. */
export type JobEvent = Progress | EpochEvent;
