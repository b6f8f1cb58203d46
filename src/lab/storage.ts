import {formatBytes} from '../shared/format.ts';
import {VGG16_WIDTHS, type StorageListing, type StorageRemoval, type StoredItem} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {LabEventMap} from './lab-events.ts';
import type {OfflineCopy} from './offline.ts';

/** What `navigator.storage.persist()` answered, or why it was not asked. */
export type PersistAnswer = 'granted' | 'denied' | 'unavailable' | null;

/**
 * What this browser keeps for the lab, and whether it opens offline: the
 * app's offline copy, the worker's items with their sizes (each can be
 * deleted), the site's total, and persistent storage (asked after the
 * first dataset import, or on a button).
 *
 * The list is read when an element first shows it, then again after each
 * milestone that writes something (weights, dataset, features, a head or a
 * fine-tuning epoch): reading it measures every item, so a page that does
 * not show it never pays for it.
 */
export class StorageStep {
  listing: StorageListing | null = null;
  /** Why the list could not be read. */
  error: unknown = null;
  /** Why the last deletion failed. */
  removeError: unknown = null;
  /** What the last deletion removed and what the steps lost with it, in words. */
  notice: string | null = null;
  /** The item being deleted. */
  removing: string | null = null;
  /** Whether the browser keeps this site's data until the user deletes it (`persisted()`); null: not known. */
  persisted: boolean | null = null;
  /** The answer to this visit's request for persistent storage. */
  persistAnswer: PersistAnswer = null;
  #watched = false;
  #reading: Promise<void> | null = null;
  #again = false;

  constructor(private readonly lab: Lab) {
    const refreshIfShown = () => this.#watched && void this.refresh();
    for (const type of ['tl-weights-loaded', 'tl-features-ready', 'tl-training-done'] as const) lab.addEventListener(type, refreshIfShown);
    // Fine-tuning writes a checkpoint after every epoch.
    lab.addEventListener('tl-epoch-end', (e) => (e as LabEventMap['tl-epoch-end']).detail.phase === 'fine-tune' && refreshIfShown());
    lab.addEventListener('tl-dataset-loaded', (e) => {
      const {restored} = (e as LabEventMap['tl-dataset-loaded']).detail;
      refreshIfShown();
      // After the first import the user has something to lose: the moment to ask the browser to keep it.
      if (this.#watched && !restored && this.persisted === false && this.persistAnswer === null) void this.requestPersistence();
    });
  }

  /** The app's offline copy (the page's service worker, where the app installed one). */
  get offline(): OfflineCopy {
    return this.lab.offline;
  }

  get items(): StoredItem[] {
    return this.listing?.items ?? [];
  }

  /** Why deleting waits, or '': never while a step runs (its job may be using the item). */
  blocked(): string {
    if (this.lab.busy) return 'Waiting for the running step to finish.';
    return this.removing ? 'Deleting…' : '';
  }

  /**
   * What the lab needs that is not saved in this browser yet, in words:
   * the app's own files, the full-size VGG16 weights (until loaded once),
   * the weights in use or the dataset where keeping them failed.
   */
  get missing(): string[] {
    const missing: string[] = [];
    const {offline} = this;
    if (offline.state === 'installing') missing.push('The app’s own files: being saved now.');
    else if (offline.state !== 'ready') missing.push(`The app’s own files: ${offline.reason}.`);
    const vgg16 = VGG16_WIDTHS.join('-');
    if (this.listing && !this.items.some((i) => i.kind === 'weights' && i.widths?.join('-') === vgg16)) {
      missing.push('ImageNet VGG16 weights (58 MB): load them once while online (VGG16 weights, above); they are kept after that. The demo needs none.');
    }
    const weights = this.lab.weights.info;
    if (weights && !weights.cached && weights.origin !== 'generated') {
      missing.push(`The weights in use are not kept${weights.cacheProblem ? ` (${weights.cacheProblem})` : ''}: they load again next time.`);
    }
    const dataset = this.lab.dataset.manifest;
    if (dataset && !dataset.stored && dataset.storeProblem) missing.push(`Your dataset: ${dataset.storeProblem}`);
    return missing;
  }

  /** Reads the list again (one read at a time; a call during a read reads once more after it). */
  refresh(): Promise<void> {
    if (!this.#watched) {
      this.#watched = true;
      void this.checkPersistence();
    }
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        await this.#read();
      } while (this.#again);
      this.#reading = null;
    })();
    return this.#reading;
  }

  /** Asks once at start whether the browser already keeps this site's data for good. */
  async checkPersistence(): Promise<void> {
    try {
      this.persisted = (await navigator.storage?.persisted?.()) ?? null;
    } catch {
      this.persisted = null;
    }
    this.lab.changed();
  }

  /** Asks the browser to keep this site's data until the user deletes it (Chromium answers at once, by its own rules; Firefox asks the user). */
  async requestPersistence(): Promise<void> {
    if (!navigator.storage?.persist) {
      this.persistAnswer = 'unavailable';
    } else {
      try {
        this.persisted = await navigator.storage.persist();
        this.persistAnswer = this.persisted ? 'granted' : 'denied';
      } catch {
        this.persistAnswer = 'unavailable';
      }
    }
    this.lab.changed();
  }

  /**
   * Deletes one item in the worker, then brings the steps in line with what
   * went: a deleted dataset or weights in use are unloaded, a deleted feature
   * set that step 3 trained on is forgotten, and the head and checkpoint are
   * asked again. Resolves whether it was deleted.
   */
  async remove(item: StoredItem): Promise<boolean> {
    if (this.blocked()) return false;
    this.removing = item.id;
    this.removeError = null;
    this.notice = null;
    this.lab.changed();
    try {
      const removal = await this.lab.client.storage.remove(item.id);
      this.notice = await this.#apply(removal);
      return true;
    } catch (err) {
      this.removeError = err;
      return false;
    } finally {
      this.removing = null;
      await this.refresh();
    }
  }

  async #apply({removed, unloaded}: StorageRemoval): Promise<string> {
    const {lab} = this;
    const what = `Deleted ${removed.label} (${formatBytes(removed.bytes)}).`;
    if (unloaded.includes('dataset')) lab.dataset.forget();
    if (removed.kind === 'weights') lab.weights.forget(removed, unloaded.includes('weights'));
    const featuresWereCurrent = removed.kind === 'features' && removed.spec !== null && lab.features.forget(removed.spec);
    if (removed.kind === 'head') await lab.head.refresh();
    if (removed.kind === 'checkpoint') await lab.fineTune.refresh();
    if (removed.kind === 'webcam') await lab.webcam.refresh();
    if (unloaded.includes('dataset')) return `${what} It was the loaded dataset: drop a zip in step 1 to go on. Its features, head and checkpoint stay until you delete them.`;
    if (unloaded.includes('weights')) return `${what} They were the weights in use and are unloaded: choose weights again to go on.`;
    if (unloaded.includes('head')) return `${what} It was the trained head: train it again in step 3 before fine-tuning or scoring it.`;
    if (unloaded.includes('checkpoint')) return `${what} Fine-tuning starts again from epoch 1, and step 5 waits for a fine-tuned model.`;
    if (removed.kind === 'webcam') return `${what} The webcam step has no classes now; a dataset made of them keeps its own copy.`;
    if (featuresWereCurrent) return `${what} They were step 3's features: compute them again in step 2 to train the head.`;
    return what;
  }

  async #read(): Promise<void> {
    try {
      this.listing = await this.lab.client.storage.list();
      this.error = null;
    } catch (err) {
      this.error = err;
    }
    this.lab.changed();
  }
}
