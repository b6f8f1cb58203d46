import {ErrorName, hasErrorName} from '../shared/errors.ts';
import type {WeightsInfo, WeightsSource} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import {DEFAULT_WEIGHTS_URL} from './lab-config.ts';
import type {StepRun} from './step-run.ts';

/** The conv base's weights: ImageNet VGG16 (a URL or Keras's .h5), the demo's backbone, or random. */
export class WeightsStep {
  readonly run: StepRun<WeightsInfo>;
  /** What the last load asked for. */
  source: WeightsSource | null = null;
  #firstLoad = true;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
  }

  /** The weights in the worker: the last load that worked (a failed one leaves them as they were). */
  get info(): WeightsInfo | null {
    return this.run.value ?? null;
  }

  /**
   * The first visit: the default weights are not there. That is guidance
   * (what to choose), not an error.
   */
  get missingAtStart(): boolean {
    return this.#firstLoad && this.run.status === 'failed' && hasErrorName(this.run.error, ErrorName.WeightsUnreadable) && !this.info;
  }

  /** Why steps that need the weights wait, or '' when they are loaded. */
  blocked(): string {
    if (this.info) return '';
    if (this.run.running) return 'Waiting for the weights to finish loading (above).';
    return 'Waiting for VGG16 weights: choose them above (the offline demo brings its own).';
  }

  /** Where the weights are looked for at start: the configured URL, else the user's last, else ImageNet VGG16's usual place. */
  startSource(): WeightsSource {
    const {weightsUrl} = this.lab.config;
    return weightsUrl ? {kind: 'url', url: weightsUrl} : (this.lab.choices.weights ?? {kind: 'url', url: DEFAULT_WEIGHTS_URL});
  }

  /** Loads the start weights, unless the user (or the demo) asked for some first. */
  async loadAtStart(): Promise<boolean> {
    return this.source ? false : this.#load(this.startSource(), true);
  }

  load(source: WeightsSource): Promise<boolean> {
    return this.#load(source, false);
  }

  /**
   * A kept copy of weights was deleted: the next visit does not look for it,
   * and if the worker was using it (and so unloaded it), steps that need
   * weights wait for a new load.
   */
  forget(deleted: {weightsId: string | null; url: string | null}, unloaded: boolean): void {
    const remembered = this.lab.choices.weights;
    const same =
      remembered?.kind === 'stored'
        ? remembered.id === deleted.weightsId
        : remembered?.kind === 'url' && deleted.url !== null && new URL(remembered.url, document.baseURI).href === deleted.url;
    if (same) this.lab.choices.weights = null;
    if (!unloaded) return;
    this.source = null;
    this.run.clear();
  }

  async #load(source: WeightsSource, atStart: boolean): Promise<boolean> {
    this.source = source;
    this.#firstLoad = atStart;
    const ok = await this.run.run((signal, onProgress) => this.lab.client.weights.load(source, {signal, onEvent: onProgress}));
    if (!ok) return false;
    const info = this.info!;
    // A file's weights are kept in IndexedDB by id, a URL's by URL; random ones are not kept.
    const remembered: WeightsSource | null =
      source.kind === 'file' || source.kind === 'stored' ? {kind: 'stored', id: info.id} : source.kind === 'url' ? {kind: 'url', url: source.url} : null;
    if (remembered) this.lab.choices.weights = remembered;
    this.lab.features.adoptBackbone(info);
    this.lab.announce('tl-weights-loaded', {info});
    return true;
  }
}
