import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {reconnecting} from '../storage/database.ts';
import type {CheckpointInfo, EpochLog, FeatureSpec, FineTuneOptions} from '../../src/shared/protocol/index.ts';
import {storedBytes} from '../storage/stored-bytes.ts';

/** One weight tensor, as bytes. */
export interface StoredTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: ArrayBuffer;
}

/** What a fine-tuning run needs to go on exactly where it stopped. */
export interface CheckpointManifest {
  schema: number;
  /**
   * The run it belongs to. Each run (with its resumes) keeps its own
   * checkpoint, so two tabs fine-tuning at once never overwrite each other.
   */
  runId: string;
  /** The last completed epoch (1-based). */
  epoch: number;
  /** What the run was started with; a resume must match it. */
  spec: FeatureSpec;
  datasetId: string;
  classes: string[];
  options: FineTuneOptions;
  history: EpochLog[];
  savedAt: number;
}

export interface Checkpoint {
  manifest: CheckpointManifest;
  /** block5 and head weights, by variable name. */
  weights: StoredTensor[];
  /** The optimizer's state (momentum accumulators, iteration count). */
  optimizer: StoredTensor[];
}

/** What the page is told of a checkpoint (to offer "resume", to show the run's curve). */
export function checkpointInfo({runId, datasetId, epoch, options, history, spec, savedAt}: CheckpointManifest): CheckpointInfo {
  return {runId, datasetId, epoch, epochs: options.epochs, history, spec, options, savedAt};
}

/** One epoch's checkpoint as fine-tuning hands it over (the store adds the run and the bookkeeping). */
export type CheckpointToSave = Omit<Checkpoint, 'manifest'> & {manifest: Omit<CheckpointManifest, 'schema' | 'savedAt' | 'runId'>};

/** Where fine-tuning writes its checkpoints: one run's slot. */
export interface CheckpointWriter {
  save(checkpoint: CheckpointToSave): Promise<void>;
}

const SCHEMA = 2;
const VERSION = 2;
const STORE = 'checkpoints';
const runKey = (runId: string) => `run:${runId}`;
const payloadKey = (runId: string, epoch: number) => `payload:${runId}:${epoch}`;
/** Held by the worker running a run, for as long as it runs (Web Locks are shared by every tab of the origin). */
export const runLockName = (runId: string) => `transfer-lab-fine-tune:${runId}`;

/**
 * Fine-tuning checkpoints in IndexedDB, one slot per run, written so a
 * crash at any moment leaves a usable one: in one transaction (all or
 * nothing) the epoch's weights and optimizer state go in first, then the
 * run's manifest that points at them, then the run's previous payload
 * goes; with strict durability, the transaction completes only once it is
 * on disk. A run's first checkpoint replaces the runs no tab is running
 * (as a new run always replaced the last one), so storage holds one run
 * per tab at most.
 */
export class CheckpointStore {
  readonly #open: () => Promise<IDBDatabase>;
  #measured: {savedAt: number; bytes: number} | null = null;

  constructor(name = 'transfer-lab-checkpoints') {
    this.#open = reconnecting(name, (factory) => factory.open(name, VERSION), upgrade);
  }

  /** A run's slot. Hold the run's lock (`runLockName`) while writing to it. */
  run(runId: string): CheckpointWriter {
    let first = true;
    return {
      save: async (checkpoint) => {
        // Which runs are running elsewhere, asked before the transaction (it cannot wait on anything else).
        const running = first ? await runningRuns() : null;
        await this.#save(runId, checkpoint, running);
        first = false;
      },
    };
  }

  async #save(runId: string, checkpoint: CheckpointToSave, replaceAllBut: Set<string> | null): Promise<void> {
    const manifest: CheckpointManifest = {...checkpoint.manifest, runId, schema: SCHEMA, savedAt: Date.now()};
    const runs = replaceAllBut ? await this.runs() : [];
    await this.#transaction('readwrite', (store) => {
      const previous = store.get(runKey(runId)) as IDBRequest<CheckpointManifest | undefined>;
      store.put({weights: checkpoint.weights, optimizer: checkpoint.optimizer}, payloadKey(runId, manifest.epoch));
      const written = store.put(manifest, runKey(runId));
      previous.onsuccess = () => {
        const old = previous.result?.epoch;
        if (old !== undefined && old !== manifest.epoch) store.delete(payloadKey(runId, old));
      };
      for (const other of runs) {
        if (other.runId === runId || replaceAllBut!.has(other.runId)) continue;
        store.delete(runKey(other.runId));
        store.delete(payloadKey(other.runId, other.epoch));
      }
      return written;
    });
  }

  /** Every run's last manifest, newest first (cheap: no weights read). */
  async runs(): Promise<CheckpointManifest[]> {
    const all = await this.#transaction('readonly', (store) => store.getAll(IDBKeyRange.bound('run:', 'run:\uffff')) as IDBRequest<CheckpointManifest[]>);
    return all.filter((m) => m.schema === SCHEMA).sort((a, b) => b.savedAt - a.savedAt);
  }

  /**
   * A run's last manifest: the run named, if it is kept; else (or without
   * one) the newest run of the dataset named; null when neither is there.
   */
  async manifest(which: {runId?: string | undefined; datasetId?: string | undefined} = {}): Promise<CheckpointManifest | null> {
    if (which.runId) {
      const manifest = await this.#get<CheckpointManifest>(runKey(which.runId));
      if (manifest?.schema === SCHEMA) return manifest;
      if (which.datasetId === undefined) return null;
    }
    return (await this.runs()).find((m) => which.datasetId === undefined || m.datasetId === which.datasetId) ?? null;
  }

  /** A run's last checkpoint, weights included; chosen as `manifest` chooses. */
  async load(which: {runId?: string | undefined; datasetId?: string | undefined} = {}): Promise<Checkpoint | null> {
    const manifest = await this.manifest(which);
    if (!manifest) return null;
    const payload = await this.#get<Pick<Checkpoint, 'weights' | 'optimizer'>>(payloadKey(manifest.runId, manifest.epoch));
    if (!payload) return null;
    return {manifest, ...payload};
  }

  /** The newest run's manifest, and every entry's bytes (every run's manifest and payload) as the storage list counts them. */
  async usage(): Promise<{manifest: CheckpointManifest | null; bytes: number}> {
    const manifest = await this.manifest();
    if (!manifest) return {manifest, bytes: 0};
    // Measured once per checkpoint (a VGG16 one is ~57 MB to read), not at every listing.
    if (this.#measured?.savedAt !== manifest.savedAt) {
      const values = await this.#transaction('readonly', (store) => store.getAll());
      this.#measured = {savedAt: manifest.savedAt, bytes: storedBytes(values)};
    }
    return {manifest, bytes: this.#measured.bytes};
  }

  /** Deletes every run's checkpoint; resolves once that is on disk. */
  async clear(): Promise<void> {
    await this.#transaction('readwrite', (store) => store.clear());
  }

  async #transaction<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode, {durability: 'strict'});
      const request = work(tx.objectStore(STORE));
      // Resolved on commit, not on the request's success: only then is the data on disk.
      tx.oncomplete = () => resolve(request.result);
      tx.onabort = tx.onerror = () => reject(quotaAware(tx.error ?? request.error));
    });
  }

  #get<T>(key: string): Promise<T | undefined> {
    return this.#transaction('readonly', (store) => store.get(key) as IDBRequest<T | undefined>);
  }
}

/** The runs some tab (this one included) is fine-tuning now, by their Web Locks. */
async function runningRuns(): Promise<Set<string>> {
  const prefix = runLockName('');
  const held = (await navigator.locks?.query())?.held ?? [];
  return new Set(held.flatMap((lock) => (lock.name?.startsWith(prefix) ? [lock.name.slice(prefix.length)] : [])));
}

/**
 * Version 1 kept one checkpoint under `manifest` and `payload:<epoch>`: it
 * becomes the run "earlier", so a resume offered before the update still works.
 */
function upgrade(db: IDBDatabase, tx: IDBTransaction): void {
  if (!db.objectStoreNames.contains(STORE)) {
    db.createObjectStore(STORE);
    return;
  }
  const store = tx.objectStore(STORE);
  const legacy = store.get('manifest') as IDBRequest<(Omit<CheckpointManifest, 'runId'> & {schema: 1}) | undefined>;
  legacy.onsuccess = () => {
    const manifest = legacy.result;
    store.delete('manifest');
    if (manifest?.schema !== 1) return;
    const runId = 'earlier';
    const payload = store.get(`payload:${manifest.epoch}`);
    payload.onsuccess = () => {
      if (!payload.result) return;
      store.put(payload.result, payloadKey(runId, manifest.epoch));
      store.delete(`payload:${manifest.epoch}`);
      store.put({...manifest, runId, schema: SCHEMA} satisfies CheckpointManifest, runKey(runId));
    };
  };
}

function quotaAware(error: DOMException | null): Error {
  if (error?.name === 'QuotaExceededError') {
    return new NamedError(ErrorName.StorageQuota, 'The browser has no room for the checkpoint; the last one written is kept. Free some space to go on saving.');
  }
  return error ?? new Error('IndexedDB transaction failed');
}
