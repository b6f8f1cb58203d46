/**
 * Error names that cross the worker boundary. Comlink carries an error as
 * `{name, message, details}` only, so callers branch on `err.name` (see
 * `hasErrorName`), never on `instanceof` or on the message text.
 */
export const ErrorName = {
  /** No tfjs backend could start in this browser. */
  NoBackend: 'NoBackendError',
  /** A backend did not start within its time limit (a blocked helper worker, a hung driver). */
  BackendTimeout: 'BackendTimeoutError',
  /** The weights file is not the VGG16 conv base: names or shapes differ. */
  WeightsMismatch: 'WeightsMismatchError',
  /** The weights could not be fetched or read (HTTP error, truncated shard, bad JSON). */
  WeightsUnreadable: 'WeightsUnreadableError',
  /** A job needs weights and none are loaded yet. */
  WeightsNotLoaded: 'WeightsNotLoadedError',
  /** The job was cancelled by the user; everything it wrote before stays valid. */
  Cancelled: 'CancelledError',
  /** The worker failed to load or died; pending calls are rejected with this. */
  WorkerCrashed: 'WorkerCrashedError',
  /** The WebGPU device was lost (driver reset, out of memory, tab in background). */
  GpuDeviceLost: 'GpuDeviceLostError',
  /** A request that can never succeed as sent (wrong sizes, unknown backend). */
  InvalidRequest: 'InvalidRequestError',
  /** The dropped file is not a zip archive at all. */
  NotAZip: 'NotAZipError',
  /** The zip is damaged: truncated, entries overlapping, an entry larger than it declares. */
  ArchiveCorrupt: 'ArchiveCorruptError',
  /** The zip has password-protected entries, which a browser cannot open without the password. */
  ArchiveEncrypted: 'ArchiveEncryptedError',
  /** The zip exceeds a safety cap (entry count, total size, compression ratio): possibly a zip bomb. */
  ArchiveTooLarge: 'ArchiveTooLargeError',
  /** A dataset zip given by URL could not be fetched. */
  DatasetUnreachable: 'DatasetUnreachableError',
  /** The zip holds no image that could be read. */
  NoImages: 'NoImagesError',
  /** The images do not make a usable dataset (one class, an empty class, a class missing from a split). */
  DatasetInvalid: 'DatasetInvalidError',
  /** The browser refused to store more (IndexedDB quota); nothing already stored is lost. */
  StorageQuota: 'StorageQuotaError',
  /**
   * The browser's storage for this site was cleared (site data deleted) or a
   * database deleted by another tab while a job ran: what was kept is gone;
   * the step can run again.
   */
  StorageCleared: 'StorageClearedError',
  /** The file is not a Transfer Lab project, or a part of it is missing or damaged. */
  ProjectUnreadable: 'ProjectUnreadableError',
  /** No imported dataset is available (none imported yet, or it was cleared). */
  NoDataset: 'NoDatasetError',
  /** Evaluation or fine-tuning needs a trained head (random layers on top would wreck block5). */
  HeadNotTrained: 'HeadNotTrainedError',
  /** Evaluation or a resume needs a fine-tuning run (a checkpoint) for this dataset, and there is none. */
  NotFineTuned: 'NotFineTunedError',
  /** Training needs features that are not in the cache yet. */
  FeaturesMissing: 'FeaturesMissingError',
  /** A backend returned features that are not numbers; nothing of them was stored. */
  InvalidFeatures: 'InvalidFeaturesError',
  /** The backend ran out of memory; a smaller batch usually fits. */
  OutOfMemory: 'OutOfMemoryError',
  /** The loss became NaN or infinite (usually a learning rate too high). */
  TrainingDiverged: 'TrainingDivergedError',
  /** The dropped file is not a model exported by Transfer Lab (not a zip, or a zip without metadata.json and tfjs/model.json). */
  NotAnExport: 'NotAnExportError',
  /** An exported model's zip is damaged: a missing or garbled model.json or metadata.json, shards that do not match it. `details.code` says which. */
  ExportDamaged: 'ExportDamagedError',
  /** An export whose metadata.json has a schema this version cannot read (made by another version of the app). */
  ExportVersion: 'ExportVersionError',
  /** Predicting needs an exported model loaded first. */
  NoExportLoaded: 'NoExportLoadedError',
  /** A backend kernel was asked for something it does not implement (e.g. NCHW convolution gradients on wasm). */
  UnsupportedOperation: 'UnsupportedOperationError',
} as const;

export type ErrorName = (typeof ErrorName)[keyof typeof ErrorName];

/** An error with one of the names above and optional structured-cloneable details. */
export class NamedError extends Error {
  constructor(
    name: ErrorName,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = name;
  }
}

/** True when `err` carries the given name, whichever realm or thread made it. */
export function hasErrorName(err: unknown, name: ErrorName): boolean {
  return typeof err === 'object' && err !== null && (err as {name?: unknown}).name === name;
}

/** The plain object form in which an error crosses postMessage. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  details?: unknown;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const details = (err as {details?: unknown}).details;
    return {name: err.name, message: err.message, stack: err.stack, ...(details === undefined ? {} : {details})};
  }
  return {name: 'Error', message: String(err)};
}

export function deserializeError(value: SerializedError): Error {
  const err = new Error(value.message);
  err.name = value.name;
  if (value.stack) err.stack = value.stack;
  if (value.details !== undefined) Object.assign(err, {details: value.details});
  return err;
}
