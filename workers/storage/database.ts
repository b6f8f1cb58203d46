import {promisifyRequest, type UseStore} from 'idb-keyval';
import type {StorageReport} from '../../src/shared/protocol/index.ts';
import {withTimeout} from '../runtime/timeout.ts';

/**
 * Where the worker keeps what the steps make. IndexedDB when this context
 * may use it. Where it may not (a third-party iframe with storage blocked,
 * a sandboxed frame, a browser setting), an IndexedDB that lives in memory
 * (fake-indexeddb, loaded only then): every store keeps its code and its
 * transactions, every step still works, and nothing outlives the page.
 * The choice is made once, by a small write and read-back.
 */
interface Backing {
  factory: IDBFactory;
  report: StorageReport;
}

/** A browser that takes longer than this to open a tiny database will not keep up with the steps either. */
const PROBE_TIMEOUT_MS = 5000;

let backing: Promise<Backing> | null = null;

function chosenBacking(): Promise<Backing> {
  backing ??= chooseBacking();
  return backing;
}

/** Whether what the steps make is kept, and why not when it is not. */
export async function storageReport(): Promise<StorageReport> {
  return (await chosenBacking()).report;
}

/** The IndexedDB to use (the browser's, or the in-memory one). */
export async function idbFactory(): Promise<IDBFactory> {
  return (await chosenBacking()).factory;
}

async function chooseBacking(): Promise<Backing> {
  let reason: string;
  try {
    // In a frame denied storage, reading `indexedDB` itself can throw a SecurityError.
    const factory = globalThis.indexedDB;
    if (!factory) throw new Error('this browser context has no IndexedDB');
    await withTimeout(roundTrip(factory), PROBE_TIMEOUT_MS, () => new Error(`IndexedDB did not answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    return {factory, report: {persistent: true}};
  } catch (err) {
    reason = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
  }
  const {indexedDB: memory} = await import('fake-indexeddb');
  return {factory: memory, report: {persistent: false, reason}};
}

/** Opens a probe database, writes and reads one value: what every store will do. */
async function roundTrip(factory: IDBFactory): Promise<void> {
  const request = factory.open('transfer-lab-probe', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('probe');
  const db = await promisifyRequest(request);
  try {
    const tx = db.transaction('probe', 'readwrite');
    tx.objectStore('probe').put(Date.now(), 'last-start');
    await promisifyRequest(tx.objectStore('probe').get('last-start'));
  } finally {
    db.close();
  }
}

/** Why an open database went away under us. */
export type StorageLoss = {database: string; why: 'cleared' | 'deleted-elsewhere'};

const lossListeners = new Set<(loss: StorageLoss) => void>();

/**
 * Calls `listener` whenever the browser takes a database away from this
 * worker: the site's data cleared (Chromium closes every connection and
 * fires `close`), or another tab deleting or upgrading it (`versionchange`,
 * which we answer by closing so that tab is not blocked). Returns an unsubscribe.
 */
export function onStorageLost(listener: (loss: StorageLoss) => void): () => void {
  lossListeners.add(listener);
  return () => lossListeners.delete(listener);
}

/**
 * One database, opened on first use and opened again after it failed to
 * open or the browser closed it: a store keeps working after the site's
 * data is cleared (on an empty database), and the loss is announced.
 */
export function reconnecting(name: string, open: (factory: IDBFactory) => IDBOpenDBRequest, upgrade: (db: IDBDatabase, tx: IDBTransaction) => void): () => Promise<IDBDatabase> {
  let db: Promise<IDBDatabase> | null = null;
  const lost = (opening: Promise<IDBDatabase>, why: StorageLoss['why']) => {
    if (db === opening) db = null;
    for (const listener of lossListeners) listener({database: name, why});
  };
  return () => {
    if (!db) {
      const opening: Promise<IDBDatabase> = idbFactory().then(async (factory) => {
        const request = open(factory);
        request.onupgradeneeded = () => upgrade(request.result, request.transaction!);
        const database = await promisifyRequest(request);
        database.onclose = () => lost(opening, 'cleared');
        database.onversionchange = () => {
          database.close();
          lost(opening, 'deleted-elsewhere');
        };
        return database;
      });
      db = opening;
      opening.catch(() => {
        if (db === opening) db = null; // open again next time
      });
    }
    return db;
  };
}

/** idb-keyval's createStore on the chosen IndexedDB: one database with one object store. */
export function createStore(dbName: string, storeName: string): UseStore {
  const open = reconnecting(
    dbName,
    (factory) => factory.open(dbName),
    (db) => db.createObjectStore(storeName),
  );
  return (mode, callback) => open().then((database) => callback(database.transaction(storeName, mode).objectStore(storeName)));
}
