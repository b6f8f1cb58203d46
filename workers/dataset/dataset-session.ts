import type {FileEntry} from '@zip.js/zip.js';
import type {UseStore} from 'idb-keyval';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {DatasetManifest, ImportLimits, ImportOptions, ResizeMethod} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {assembleManifest, type AssembledDataset} from './assemble-manifest.ts';
import {storageReport} from '../storage/database.ts';
import {loadStoredDataset, saveDataset, datasetStore} from './dataset-store.ts';
import {decodeImage, rgbaPixels} from './decode-image.ts';
import {DEFAULT_LIMITS} from './import-limits.ts';
import {resizeRgb} from './resize.ts';
import {scanArchive, type ArchiveScan} from './scan-archive.ts';
import {openArchive, readEntry} from './zip-archive.ts';

interface Current {
  zip: Blob;
  scan: ArchiveScan;
  options: ImportOptions;
  assembled: AssembledDataset;
  stored: boolean;
  storeProblem?: string;
  savedAt: number | null;
}

export interface ImportJob {
  signal?: AbortSignal;
  onEntry?: (done: number, total: number, images: number) => void;
  limits?: Partial<ImportLimits>;
}

/**
 * The worker's one dataset: imported from a zip, or restored from
 * IndexedDB after a reload. A failed or cancelled import leaves the
 * previous dataset (and its stored copy) untouched.
 */
export class DatasetSession {
  #current: Current | null = null;
  #entries: Promise<Map<string, FileEntry>> | null = null;

  constructor(private readonly store: UseStore = datasetStore()) {}

  async importZip(file: Blob, name: string, options: ImportOptions, job: ImportJob = {}): Promise<DatasetManifest> {
    const limits = {...DEFAULT_LIMITS, ...job.limits};
    const scan = await scanArchive(file, name, {limits, signal: job.signal, onEntry: job.onEntry});
    throwIfCancelled(job.signal);
    const assembled = await assembleManifest(scan, options);
    this.#replace({zip: file, scan, options, assembled, ...(await this.#save(file, scan, options))});
    return this.manifest()!;
  }

  /** Keeps the dataset for the next visit; a failure (a full quota) costs only that, never the import. */
  async #save(zip: Blob, scan: ArchiveScan, options: ImportOptions): Promise<Pick<Current, 'stored' | 'storeProblem' | 'savedAt'>> {
    try {
      const savedAt = await saveDataset({zip, scan, options}, this.store);
      // Saved in memory (a frame that may not store anything): it works until the page closes; the page says so once.
      return (await storageReport()).persistent ? {stored: true, savedAt} : {stored: false, savedAt: null};
    } catch (err) {
      const quota = (err as Error).name === 'QuotaExceededError';
      return {
        stored: false,
        savedAt: null,
        storeProblem: quota
          ? `The browser has no room to keep this ${formatBytes(zip.size)} dataset; it works until you close the tab. Free some space (or use a smaller zip) to keep it.`
          : `The dataset could not be kept for the next visit (${(err as Error).name}: ${(err as Error).message}).`,
      };
    }
  }

  /** The dataset kept from an earlier visit, if any. */
  async restore(): Promise<DatasetManifest | null> {
    const saved = await loadStoredDataset(this.store);
    if (!saved) return null;
    const assembled = await assembleManifest(saved.scan, saved.options);
    this.#replace({zip: saved.zip, scan: saved.scan, options: saved.options, assembled, stored: true, savedAt: saved.savedAt});
    return this.manifest();
  }

  /** Draws the split again with other fractions or seed (class-folder zips only); nothing is re-read. */
  async resplit(options: ImportOptions): Promise<DatasetManifest> {
    const current = this.#require();
    if (current.scan.layout !== 'classes') {
      throw new NamedError(ErrorName.InvalidRequest, 'This zip has its own train/validation/test folders; there is no split to redraw.');
    }
    const assembled = await assembleManifest(current.scan, options);
    this.#current = {...current, options, assembled, ...(await this.#save(current.zip, current.scan, options))};
    return this.manifest()!;
  }

  /** The zip as dropped and the options it was imported with (a project keeps them, to import it again). */
  source(): {zip: Blob; name: string; options: ImportOptions} | null {
    const current = this.#current;
    return current && {zip: current.zip, name: current.scan.name, options: current.options};
  }

  /** No dataset any more (its kept copy was deleted): steps that need one wait for an import. */
  forget(): void {
    this.#current = null;
    this.#entries = null;
  }

  manifest(): DatasetManifest | null {
    const current = this.#current;
    if (!current) return null;
    return {
      ...current.assembled.manifest,
      stored: current.stored,
      savedAt: current.savedAt,
      ...(current.storeProblem ? {storeProblem: current.storeProblem} : {}),
    };
  }

  /** The images at these indices, decoded and resized to size×size by `resize`, as RGB uint8, one after another. */
  async readPixels(indices: readonly number[], size: number, resize: ResizeMethod, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isInteger(size) || size < 1 || size > MAX_PIXELS_SIZE) {
      throw new NamedError(ErrorName.InvalidRequest, `Images can be read at 1 to ${MAX_PIXELS_SIZE} pixels square; got ${size}.`);
    }
    const out = new Uint8Array(indices.length * size * size * 3);
    for (const [k, index] of indices.entries()) {
      throwIfCancelled(signal);
      const bitmap = await decodeImage(await this.readFile(index, signal));
      try {
        out.set(resizeRgb(rgbaPixels(bitmap), size, size, resize), k * size * size * 3);
      } finally {
        bitmap.close();
      }
    }
    return out;
  }

  /** The image at this index as its file's own bytes, read from the zip. */
  async readFile(index: number, signal?: AbortSignal): Promise<Uint8Array> {
    const source = this.#require().assembled.sources[index];
    const entry = source === undefined ? undefined : (await this.#entryMap()).get(source);
    if (!entry) throw new NamedError(ErrorName.InvalidRequest, `There is no image ${index} in the dataset.`);
    return readEntry(entry, signal);
  }

  #require(): Current {
    if (!this.#current) throw new NamedError(ErrorName.NoDataset, 'No dataset yet: drop a zip of images first.');
    return this.#current;
  }

  #replace(next: Current): void {
    this.#current = next;
    this.#entries = null;
  }

  /** The zip's entries by name, opened once per dataset (random access: nothing is read yet). */
  #entryMap(): Promise<Map<string, FileEntry>> {
    const zip = this.#require().zip;
    if (!this.#entries) {
      const opening = openArchive(zip, DEFAULT_LIMITS).then((archive) => new Map(archive.files.map((e) => [e.filename, e])));
      this.#entries = opening;
      opening.catch(() => {
        if (this.#entries === opening) this.#entries = null; // try again next time
      });
    }
    return this.#entries;
  }
}

/** Larger than any network input here (VGG16 at 224 is the usual maximum). */
const MAX_PIXELS_SIZE = 1024;
