import * as tf from '@tensorflow/tfjs';
import {releaseProxy} from 'comlink';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {BackendName, BackendOverrides, DatasetManifest, HeadInfo, LoadedExportInfo, Phase, RuntimeReport} from '../../src/shared/protocol/index.ts';
import {DatasetSession} from '../dataset/dataset-session.ts';
import type {LoadedWeights} from '../model/load-weights.ts';
import {buildVgg16} from '../model/vgg16.ts';
import {decodeVgg16Bundle} from '../model/weights-bundle.ts';
import {chooseBackends, useBackend} from '../runtime/backends.ts';
import {beginJob, endJob, stopAllJobs, throwIfCancelled} from '../runtime/jobs.ts';
import {onStorageLost, type StorageLoss} from '../storage/database.ts';
import {CheckpointStore} from '../training/checkpoint-store.ts';
import {loadHead} from '../training/head-store.ts';

/** The trained head and what it was trained on; its model lives on the inference backend. */
export interface HeadSlot {
  model: tf.LayersModel;
  info: HeadInfo;
}

/** An exported model loaded back from its zip; its model lives on the backend `info` names. */
export interface ExportSlot {
  model: tf.LayersModel;
  /** The zip it came from (a reference): to build it again on another backend. */
  file: Blob;
  info: LoadedExportInfo;
}

/**
 * What the worker holds between calls, shared by every step's service:
 * the backend choice, the loaded weights and the one conv base built from
 * them, the dataset, the trained head, the fine-tuning checkpoints, and an
 * exported model loaded back to predict.
 *
 * Two pieces of worker-wide state live in their modules, as there is one
 * session per worker: the running jobs (runtime/jobs.ts) and the started
 * backends with a lost GPU device (runtime/backends.ts).
 *
 * Work that touches the backend, the model, the weights or the dataset runs
 * one call at a time (`serially`, `job`): a backend switch or a new dataset
 * must never land in the middle of a job that is using the old one.
 */
export class Session {
  readonly dataset = new DatasetSession();
  /** Fine-tuning's checkpoints: the fine-tuned model lives there (and is rebuilt from there to evaluate). */
  readonly checkpoints = new CheckpointStore();
  /** The fine-tuning run this session started or resumed, per dataset: the one to resume and to evaluate. */
  readonly #fineTuneRuns = new Map<string, string>();
  #weights: LoadedWeights | null = null;
  #head: HeadSlot | null = null;
  #export: ExportSlot | null = null;
  #runtime: Promise<RuntimeReport> | null = null;
  /** One conv base at a time (each holds a full copy of the weights on its backend). */
  #convBase: {model: tf.LayersModel; backend: BackendName; size: number} | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor() {
    // What a running job had written may be gone: it stops, and says so, rather than finish on half its data.
    onStorageLost((loss) => stopAllJobs(storageLostError(loss)));
  }

  /** Runs after every call queued before it, whether they succeeded or not. */
  serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * A cancellable job: named at once (so cancel() finds it while queued),
   * then run in turn; its callback proxy is released when it ends.
   */
  job<T>(jobId: string, onEvent: unknown, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let signal: AbortSignal;
    try {
      signal = beginJob(jobId);
    } catch (err) {
      releaseCallback(onEvent);
      return Promise.reject(err);
    }
    return this.serially(async () => {
      throwIfCancelled(signal);
      return work(signal);
    }).finally(() => {
      endJob(jobId);
      releaseCallback(onEvent);
    });
  }

  /** The backend per phase, chosen once (again when overrides are given). */
  runtime(overrides?: BackendOverrides): Promise<RuntimeReport> {
    if (overrides || !this.#runtime) {
      const chosen = chooseBackends(overrides);
      this.#runtime = chosen;
      chosen.catch(() => {
        if (this.#runtime === chosen) this.#runtime = null; // a later choice may already have replaced it
      });
    }
    return this.#runtime;
  }

  /** Forgets the choice, so the next call chooses again (after a lost GPU device). */
  forgetRuntime(): void {
    this.#runtime = null;
  }

  /** Switches tfjs to the backend chosen for a phase and names it. */
  async onBackend(phase: Phase): Promise<BackendName> {
    return useBackend(await this.runtime(), phase);
  }

  requireDataset(forWhat: string): DatasetManifest {
    const manifest = this.dataset.manifest();
    if (!manifest) throw new NamedError(ErrorName.NoDataset, `Import a dataset (step 1) before ${forWhat}.`);
    return manifest;
  }

  /** Which checkpoint means "this dataset's fine-tuned model" here: this session's run, else the newest. */
  fineTuneRun(datasetId: string): {runId: string | undefined; datasetId: string} {
    return {runId: this.#fineTuneRuns.get(datasetId), datasetId};
  }

  setFineTuneRun(datasetId: string, runId: string): void {
    this.#fineTuneRuns.set(datasetId, runId);
  }

  get weights(): LoadedWeights | null {
    return this.#weights;
  }

  requireWeights(forWhat: string): LoadedWeights {
    if (!this.#weights) throw new NamedError(ErrorName.WeightsNotLoaded, `Load VGG16 weights before ${forWhat}.`);
    return this.#weights;
  }

  setWeights(loaded: LoadedWeights): void {
    this.releaseConvBase();
    this.#weights = loaded;
  }

  /** No weights loaded (their kept copy was deleted): steps that need them wait for a new load. */
  unloadWeights(): void {
    this.releaseConvBase();
    this.#weights = null;
  }

  /** The conv base for an input size on a backend, built once from the loaded weights' bytes. */
  convBase(size: number, backend: BackendName): tf.LayersModel {
    if (this.#convBase?.backend === backend && this.#convBase.size === size) return this.#convBase.model;
    this.releaseConvBase();
    const model = this.freshConvBase(size);
    this.#convBase = {model, backend, size};
    return model;
  }

  /** A conv base of its own (fine-tuning trains it; evaluation wraps it), on the current backend. */
  freshConvBase(size: number): tf.LayersModel {
    const tensors = decodeVgg16Bundle(this.requireWeights('building the network').bundle);
    try {
      return buildVgg16(size, tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  /** Frees the memoised conv base: one VGG16 copy on a backend at a time. */
  releaseConvBase(): void {
    this.#convBase?.model.dispose();
    this.#convBase = null;
  }

  /**
   * The last trained head: this visit's, or the one kept from an earlier
   * visit, read back onto the inference backend (where it runs).
   */
  async trainedHead(): Promise<HeadSlot | null> {
    await this.onBackend('inference');
    if (!this.#head) {
      const kept = await loadHead();
      if (kept) this.#head = {model: kept.model, info: {...kept.info, restored: true}};
    }
    return this.#head;
  }

  /** The head held now, without reading the kept one (see trainedHead). */
  get head(): HeadSlot | null {
    return this.#head;
  }

  setHead(head: HeadSlot | null): void {
    if (this.#head && this.#head.model !== head?.model) this.#head.model.dispose();
    this.#head = head;
  }

  get loadedExport(): ExportSlot | null {
    return this.#export;
  }

  /** One exported model at a time: the one it replaces is disposed. */
  setExport(loaded: ExportSlot | null): void {
    if (this.#export && this.#export.model !== loaded?.model) this.#export.model.dispose();
    this.#export = loaded;
  }
}

function storageLostError({database, why}: StorageLoss): NamedError {
  const what =
    why === 'cleared'
      ? "The browser's storage for this site was cleared (its site data deleted) while this step ran"
      : `Another tab deleted or upgraded stored data (${database}) while this step ran`;
  return new NamedError(ErrorName.StorageCleared, `${what}: what it had kept may be gone. Run the step again.`, {database, why});
}

/** Comlink proxies hold a port open until released; plain functions (tests) have nothing to release. */
function releaseCallback(callback: unknown): void {
  const release = (callback as {[releaseProxy]?: () => void} | undefined)?.[releaseProxy];
  if (typeof release === 'function') release.call(callback);
}
