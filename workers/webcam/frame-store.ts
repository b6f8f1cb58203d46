import {promisifyRequest, type UseStore} from 'idb-keyval';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {WebcamClass, WebcamFrame} from '../../src/shared/protocol/index.ts';
import {createStore} from '../storage/database.ts';
import {storedBytes} from '../storage/stored-bytes.ts';
import {checkClassName} from './class-names.ts';
import type {EncodedFrame} from './encode-frame.ts';

/**
 * The webcam's classes and frames, kept in IndexedDB as they are captured,
 * so a reload (or a crash) loses none of them before they become a
 * dataset. One object store: classes under `['class', id]`, frames under
 * `['frame', classId, id]`, so a class's frames are one key range.
 *
 * Calls run one at a time, in the order they came: a frame captured just
 * before "Use as dataset" is in the zip, and a class removed while a frame
 * for it is being encoded does not come back.
 */
interface StoredClass {
  kind: 'class';
  id: string;
  name: string;
  createdAt: number;
}

interface StoredFrame extends Omit<WebcamFrame, 'bytes'>, EncodedFrame {
  kind: 'frame';
}

/** A class with its frames' PNGs in capture order: what the dataset zip is made of. */
export interface ClassFrames {
  name: string;
  frames: Blob[];
}

const classKey = (id: string): IDBValidKey => ['class', id];
const frameKey = (classId: string, id: string): IDBValidKey => ['frame', classId, id];
/** Every frame of a class: an array key sorts after every string, so `[…, classId, []]` bounds them. */
const framesOf = (classId: string) => IDBKeyRange.bound(['frame', classId], ['frame', classId, []]);
const allClasses = () => IDBKeyRange.bound(['class'], ['class', []]);

let defaultStore: UseStore | undefined;

export function webcamStore(): UseStore {
  defaultStore ??= createStore('transfer-lab-webcam', 'frames');
  return defaultStore;
}

/** Milliseconds since the epoch, with the fraction that keeps two frames captured in one millisecond in order. */
const now = (): number => performance.timeOrigin + performance.now();

export class FrameStore {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: UseStore = webcamStore()) {}

  /** Every class, in the order they were made, each with its frames in capture order. */
  classes(): Promise<WebcamClass[]> {
    return this.#serially(async () => {
      const {classes, frames} = await this.#all();
      return classes.map((c) => ({
        id: c.id,
        name: c.name,
        frames: (frames.get(c.id) ?? []).map(frameInfo),
      }));
    });
  }

  addClass(name: string): Promise<WebcamClass> {
    return this.#serially(async () => {
      const classes = await this.#classes();
      const stored: StoredClass = {kind: 'class', id: crypto.randomUUID(), name: checkClassName(name, classes.map((c) => c.name)), createdAt: now()};
      await this.#write((os) => os.put(stored, classKey(stored.id)));
      return {id: stored.id, name: stored.name, frames: []};
    });
  }

  renameClass(id: string, name: string): Promise<string> {
    return this.#serially(async () => {
      const classes = await this.#classes();
      const stored = requireClass(classes, id);
      const renamed = {...stored, name: checkClassName(name, classes.filter((c) => c.id !== id).map((c) => c.name))};
      await this.#write((os) => os.put(renamed, classKey(id)));
      return renamed.name;
    });
  }

  /** The class and all its frames, in one transaction. */
  removeClass(id: string): Promise<void> {
    return this.#serially(() =>
      this.#write((os) => {
        os.delete(framesOf(id));
        os.delete(classKey(id));
      }),
    );
  }

  /** Keeps a frame; rejects with StorageQuotaError when the browser has no room (the frames kept before stay). */
  addFrame(classId: string, encoded: EncodedFrame): Promise<WebcamFrame> {
    return this.#serially(async () => {
      requireClass(await this.#classes(), classId);
      const stored: StoredFrame = {kind: 'frame', id: crypto.randomUUID(), classId, capturedAt: now(), ...encoded};
      try {
        await this.#write((os) => os.put(stored, frameKey(classId, stored.id)));
      } catch (err) {
        if ((err as Error)?.name !== 'QuotaExceededError') throw err;
        throw new NamedError(
          ErrorName.StorageQuota,
          `The browser has no room to keep another frame (${formatBytes(encoded.png.size)}); the frames captured before are kept. Delete some, or free space, to capture more.`,
          {frameBytes: encoded.png.size},
        );
      }
      return frameInfo(stored);
    });
  }

  deleteFrame(classId: string, frameId: string): Promise<void> {
    return this.#serially(() => this.#write((os) => os.delete(frameKey(classId, frameId))));
  }

  /** Deletes every frame of a class; the class stays. */
  clearClass(classId: string): Promise<void> {
    return this.#serially(() => this.#write((os) => os.delete(framesOf(classId))));
  }

  /** What the store takes, for the storage list: its classes, frames and bytes, and when the last frame was taken. */
  usage(): Promise<{classes: string[]; frames: number; bytes: number; lastCapturedAt: number | null}> {
    return this.#serially(async () => {
      const {classes, frames} = await this.#all();
      const all = [...frames.values()].flat();
      return {
        classes: classes.map((c) => c.name),
        frames: all.length,
        bytes: storedBytes([classes, all]),
        lastCapturedAt: all.length ? Math.max(...all.map((f) => f.capturedAt)) : null,
      };
    });
  }

  /** Deletes every class and frame at once. */
  clear(): Promise<void> {
    return this.#serially(() => this.#write((os) => os.clear()));
  }

  /** Every class (empty ones too) with its frames' PNGs, as the calls before this one left them. */
  contents(): Promise<ClassFrames[]> {
    return this.#serially(async () => {
      const {classes, frames} = await this.#all();
      return classes.map((c) => ({name: c.name, frames: (frames.get(c.id) ?? []).map((f) => f.png)}));
    });
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Runs the writes in one transaction; resolves when it has committed. */
  #write(writes: (os: IDBObjectStore) => void): Promise<void> {
    return this.store('readwrite', (os) => {
      writes(os);
      return promisifyRequest(os.transaction);
    });
  }

  /** The classes alone (the frames' records are not read: there may be thousands). */
  async #classes(): Promise<StoredClass[]> {
    const classes = await this.store('readonly', (os) => promisifyRequest(os.getAll(allClasses()) as IDBRequest<StoredClass[]>));
    return classes.sort((a, b) => a.createdAt - b.createdAt);
  }

  async #all(): Promise<{classes: StoredClass[]; frames: Map<string, StoredFrame[]>}> {
    const values = await this.store('readonly', (os) => promisifyRequest(os.getAll() as IDBRequest<Array<StoredClass | StoredFrame>>));
    const classes = values.filter((v): v is StoredClass => v.kind === 'class').sort((a, b) => a.createdAt - b.createdAt);
    const frames = new Map<string, StoredFrame[]>();
    for (const frame of values.filter((v): v is StoredFrame => v.kind === 'frame').sort((a, b) => a.capturedAt - b.capturedAt)) {
      const list = frames.get(frame.classId) ?? [];
      list.push(frame);
      frames.set(frame.classId, list);
    }
    return {classes, frames};
  }
}

function requireClass(classes: readonly StoredClass[], id: string): StoredClass {
  const found = classes.find((c) => c.id === id);
  if (!found) throw new NamedError(ErrorName.InvalidRequest, 'That class is gone (removed here or in another tab).', {classId: id});
  return found;
}

function frameInfo({id, classId, thumbnail, width, height, png, capturedAt}: StoredFrame): WebcamFrame {
  return {id, classId, thumbnail, width, height, bytes: png.size, capturedAt};
}
