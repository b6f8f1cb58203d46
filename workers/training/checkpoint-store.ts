import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {openDatabase} from '../storage/database.ts';
import {storedBytes} from '../storage/stored-bytes.ts';
import type {EpochLog, FeatureSpec, FineTuneOptions} from '../../src/shared/protocol/index.ts';

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

const SCHEMA = 1;
const STORE = 'checkpoints';
const MANIFEST = 'manifest';
const payloadKey = (epoch: number) => `payload:${epoch}`;

/**
 * Fine-tuning checkpoints in IndexedDB, written so a crash at any moment
 * leaves a usable one: in one transaction (all or nothing) the epoch's
 * weights and optimizer state go in first, then the manifest that points at
 * them, then the previous epoch's payload goes; with strict durability, the
 * transaction completes only once it is on disk.
 */
export class CheckpointStore {
  #db: Promise<IDBDatabase> | null = null;
  #measured: {savedAt: number; bytes: number} | null = null;

  constructor(private readonly name = 'transfer-lab-checkpoints') {}

  async save(checkpoint: Omit<Checkpoint, 'manifest'> & {manifest: Omit<CheckpointManifest, 'schema' | 'savedAt'>}): Promise<void> {
    const {manifest} = checkpoint;
    await this.#transaction('readwrite', (store) => {
      const previous = store.get(MANIFEST) as IDBRequest<CheckpointManifest | undefined>;
      store.put({weights: checkpoint.weights, optimizer: checkpoint.optimizer}, payloadKey(manifest.epoch));
      const written = store.put({...manifest, schema: SCHEMA, savedAt: Date.now()}, MANIFEST);
      previous.onsuccess = () => {
        const old = previous.result?.epoch;
        if (old !== undefined && old !== manifest.epoch) store.delete(payloadKey(old));
      };
      return written;
    });
  }

  /** The last checkpoint's manifest alone (cheap: no weights read). */
  async manifest(): Promise<CheckpointManifest | null> {
    const manifest = await this.#get<CheckpointManifest>(MANIFEST);
    return manifest?.schema === SCHEMA ? manifest : null;
  }

  async load(): Promise<Checkpoint | null> {
    const manifest = await this.#get<CheckpointManifest>(MANIFEST);
    if (!manifest || manifest.schema !== SCHEMA) return null;
    const payload = await this.#get<Pick<Checkpoint, 'weights' | 'optimizer'>>(payloadKey(manifest.epoch));
    if (!payload) return null;
    return {manifest, ...payload};
  }

  /** The last checkpoint's manifest, and every entry's bytes (manifest and payloads) as the storage list counts them. */
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

  /** Deletes every checkpoint; resolves once that is on disk. */
  async clear(): Promise<void> {
    await this.#transaction('readwrite', (store) => store.clear());
  }

  #open(): Promise<IDBDatabase> {
    if (!this.#db) {
      const opening = openDatabase(this.name, 1, (db) => db.createObjectStore(STORE)).then((db) => {
        // Another context deletes or upgrades the database: let it, and open again on next use.
        db.onversionchange = () => {
          db.close();
          if (this.#db === opening) this.#db = null;
        };
        return db;
      });
      this.#db = opening;
      opening.catch(() => {
        if (this.#db === opening) this.#db = null; // open again next time
      });
    }
    return this.#db;
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

function quotaAware(error: DOMException | null): Error {
  if (error?.name === 'QuotaExceededError') {
    return new NamedError(ErrorName.StorageQuota, 'The browser has no room for the checkpoint; the last one written is kept. Free some space to go on saving.');
  }
  return error ?? new Error('IndexedDB transaction failed');
}
