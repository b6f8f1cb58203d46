import {ErrorName, NamedError} from '../shared/errors.ts';
import type {DatasetManifest, ImportOptions} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** Step 1: the zipped dataset, imported (dropped, or from a URL), kept, and split. */
export class DatasetStep {
  /** Imports (a restore or a resplit is quick, and not a run). */
  readonly run: StepRun<DatasetManifest>;
  manifest: DatasetManifest | null = null;
  /** The manifest came back from an earlier visit. */
  restored = false;
  /** Why the last restore or resplit failed. */
  error: unknown = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
  }

  /** Why steps that need a dataset wait, or ''. */
  blocked(): string {
    if (this.manifest) return '';
    return this.run.running ? 'Waiting for the import to finish (step 1).' : 'Waiting for a dataset (step 1).';
  }

  /** Imports a zip; a class-folder zip keeps the current split settings (and the configured seed). */
  importFile(file: File, options: ImportOptions = this.#splitOptions()): Promise<boolean> {
    return this.#import(async () => file, options);
  }

  /** Imports the zip at a URL (relative to the page): a course's dataset, or the demo's. */
  importUrl(url: string, options: ImportOptions = this.#splitOptions()): Promise<boolean> {
    return this.#import(() => fetchZip(new URL(url, document.baseURI)), options);
  }

  async restore(): Promise<void> {
    try {
      const manifest = await this.lab.client.dataset.restore();
      if (manifest && !this.manifest) this.#set(manifest, true);
    } catch (err) {
      this.error = err;
      this.lab.changed();
    }
  }

  async resplit(options: ImportOptions): Promise<void> {
    try {
      this.error = null;
      this.#set(await this.lab.client.dataset.resplit(options), false);
    } catch (err) {
      this.error = err;
      this.lab.changed();
    }
  }

  async #import(file: () => Promise<File>, options: ImportOptions): Promise<boolean> {
    this.error = null;
    const ok = await this.run.run(async (signal, onProgress) =>
      this.lab.client.dataset.importZip({file: await file(), options}, {signal, onEvent: onProgress}),
    );
    if (ok) this.#set(this.run.value!, false);
    return ok;
  }

  /** A dataset the worker imported on its own (an opened project's). */
  adopt(manifest: DatasetManifest): void {
    this.error = null;
    this.#set(manifest, false);
  }

  /** The dataset is gone (its kept copy was deleted in the worker): steps that need one wait for an import. */
  forget(): void {
    this.manifest = null;
    this.restored = false;
    this.run.clear();
  }

  #splitOptions(): ImportOptions {
    const seed = this.lab.config.seed;
    return {...(seed !== null ? {seed} : {}), ...(this.manifest?.split ?? {})};
  }

  #set(manifest: DatasetManifest, restored: boolean): void {
    this.manifest = manifest;
    this.restored = restored;
    this.lab.changed();
    this.lab.announce('tl-dataset-loaded', {manifest, restored});
  }
}

/** A zip from a URL, as the File a drop would give. */
async function fetchZip(url: URL): Promise<File> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new NamedError(ErrorName.DatasetUnreachable, `Could not fetch the dataset ${url.href}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new NamedError(ErrorName.DatasetUnreachable, `Could not fetch the dataset ${url.href}: HTTP ${response.status}`);
  return new File([await response.blob()], decodeURIComponent(url.pathname.split('/').at(-1) || 'dataset.zip'), {type: 'application/zip'});
}
