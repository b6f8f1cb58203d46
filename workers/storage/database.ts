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

/**
 * idb-keyval's createStore on the chosen IndexedDB: one database with one
 * object store, opened on first use (again after a failed open).
 */
export function createStore(dbName: string, storeName: string): UseStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    if (!db) {
      const opening = idbFactory()
        .then((factory) => {
          const request = factory.open(dbName);
          request.onupgradeneeded = () => request.result.createObjectStore(storeName);
          return promisifyRequest(request);
        })
        .then((database) => {
          // Another context deletes or upgrades the database (another tab, a test starting afresh):
          // let it, and open again on next use, rather than block it for as long as this one lives.
          database.onversionchange = () => {
            database.close();
            if (db === opening) db = null;
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
  return (mode, callback) => open().then((database) => callback(database.transaction(storeName, mode).objectStore(storeName)));
}

/** A database of one's own on the chosen IndexedDB, for stores that need their own transactions. */
export async function openDatabase(name: string, version: number, upgrade: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  const request = (await idbFactory()).open(name, version);
  request.onupgradeneeded = () => upgrade(request.result);
  return promisifyRequest(request);
}
