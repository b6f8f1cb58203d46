/**
 * The app's offline copy: the service worker that keeps the app's own files
 * (the page, its scripts, the trainer worker, the three wasm binaries, the
 * demo), as this page sees it. Only the app registers one (src/app/): a
 * course page that embeds the library keeps its own scope, so there this
 * says "not offered" and why.
 */
export type OfflineState =
  /** No service worker of ours here: the library in a course page, or the dev server. */
  | 'not-offered'
  /** This browser or context allows no service worker (some private windows, an insecure origin). */
  | 'unsupported'
  /** The app's files are being saved. */
  | 'installing'
  /** A service worker is active: Workbox activates one only once every file of its precache is saved. */
  | 'ready'
  /** Saving the files failed (a file could not be fetched): the app works online only. */
  | 'failed';

/** The saved files, counted once the copy is ready. */
export interface OfflineFiles {
  count: number;
  bytes: number;
}

/** Workbox names its precache `workbox-precache-v2-<scope>`. */
const PRECACHE_PREFIX = 'workbox-precache';

export class OfflineCopy extends EventTarget {
  state: OfflineState = 'not-offered';
  /** Why it is not offered, unsupported or failed, in words. */
  reason = 'this page did not install the app’s service worker (the Transfer Lab app does; a page that embeds the elements keeps its own)';
  files: OfflineFiles | null = null;
  /** A newer version is saved and waits for this page to let it take over (a reload). */
  updateReady = false;
  /** Another tab let a newer version take over: this page still runs the old code until it reloads. */
  updatedElsewhere = false;
  #registration: ServiceWorkerRegistration | null = null;
  #applyUpdate: (() => Promise<void>) | null = null;

  /** Says why there is no offline copy here. */
  unavailable(state: 'not-offered' | 'unsupported' | 'failed', reason: string): void {
    this.state = state;
    this.reason = reason;
    this.#changed();
  }

  /**
   * Follows a registration: its state now, and every worker it installs.
   * `applyUpdate` lets a waiting version take over (the page then reloads).
   */
  attach(registration: ServiceWorkerRegistration, applyUpdate: () => Promise<void>): void {
    this.#registration = registration;
    this.#applyUpdate = applyUpdate;
    const follow = (worker: ServiceWorker | null) => worker?.addEventListener('statechange', () => this.sync());
    follow(registration.installing);
    follow(registration.waiting);
    registration.addEventListener('updatefound', () => {
      follow(registration.installing);
      this.sync();
    });
    this.sync();
  }

  /** Reads the registration's state again (after its workers changed). */
  sync(): void {
    const registration = this.#registration;
    if (!registration) return;
    const wasReady = this.state === 'ready';
    if (registration.active) {
      this.state = 'ready';
      this.updateReady = registration.waiting !== null;
    } else if (registration.installing || registration.waiting) {
      this.state = 'installing';
    } else {
      this.unavailable('failed', 'the app’s files could not all be saved (a download failed); it works online, and tries again at the next visit');
      return;
    }
    this.#changed();
    if (this.state === 'ready' && (!wasReady || !this.files)) void this.#countFiles();
  }

  /** A newer version is waiting (the registration says so too; this is the service worker library's signal). */
  newVersionWaiting(): void {
    this.updateReady = true;
    this.#changed();
  }

  /** Another tab let the new version take over. */
  tookOverElsewhere(): void {
    this.updatedElsewhere = true;
    this.#changed();
  }

  /** Lets the waiting version take over; the page reloads when it has. Call only when nothing is running. */
  async update(): Promise<void> {
    await this.#applyUpdate?.();
  }

  /** How many files the precache holds, and their bytes. */
  async #countFiles(): Promise<void> {
    try {
      const names = (await caches.keys()).filter((name) => name.startsWith(PRECACHE_PREFIX));
      let count = 0;
      let bytes = 0;
      for (const name of names) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          const response = await cache.match(request);
          count++;
          bytes += response ? (await response.blob()).size : 0;
        }
      }
      this.files = {count, bytes};
    } catch {
      this.files = null; // the figures are a nicety: the copy is ready either way
    }
    this.#changed();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

/** This page's offline copy: the app attaches its service worker to it; elsewhere it stays "not offered". */
export const pageOffline = new OfflineCopy();
