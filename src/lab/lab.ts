import {TrainerClient} from '../client/trainer-client.ts';
import {ErrorName, hasErrorName} from '../shared/errors.ts';
import {CurveRuns} from './curve-runs.ts';
import {DatasetStep} from './dataset.ts';
import {DemoRun} from './demo.ts';
import {ExplainStep} from './explain.ts';
import {FeaturesStep} from './features.ts';
import {FineTuneStep} from './fine-tune.ts';
import {HeadStep} from './head.ts';
import {LivePredictStep} from './live-predict.ts';
import {ModelUseStep} from './model-use.ts';
import {ProjectStep} from './project.ts';
import {DEFAULT_LAB_CONFIG, type LabConfig} from './lab-config.ts';
import type {LabEventDetail, LabEventName} from './lab-events.ts';
import {pageOffline, type OfflineCopy} from './offline.ts';
import {ResultsStep} from './results.ts';
import {RuntimeStep} from './runtime.ts';
import {SavedChoices} from './saved-choices.ts';
import {StepRun} from './step-run.ts';
import {StorageStep} from './storage.ts';
import {WebcamStep} from './webcam.ts';
import {WeightsStep} from './weights.ts';

export interface LabOptions {
  config?: Partial<LabConfig>;
  /** The worker's client; by default a new worker (the lab then ends it on dispose). */
  client?: TrainerClient;
  choices?: SavedChoices;
  /** The app's offline copy; by default the page's (which only the app attaches a service worker to). */
  offline?: OfflineCopy;
}

/**
 * What the steps share, on the main thread: the trainer client and one
 * model per step (its options, its run, what it knows), which read each
 * other to say why they wait. Elements render from it and re-render on its
 * one 'change' event; milestones are announced as 'tl-…' events on it,
 * which the element that owns the lab re-dispatches on the page.
 */
export class Lab extends EventTarget {
  readonly config: LabConfig;
  readonly client: TrainerClient;
  readonly choices: SavedChoices;
  readonly curves: CurveRuns;
  readonly runtime: RuntimeStep;
  readonly weights: WeightsStep;
  readonly dataset: DatasetStep;
  readonly features: FeaturesStep;
  readonly head: HeadStep;
  readonly fineTune: FineTuneStep;
  readonly results: ResultsStep;
  /** Step 5's "Show where it looks": Grad-CAM maps of the evaluated predictions. */
  readonly explain: ExplainStep;
  readonly demo: DemoRun;
  readonly project: ProjectStep;
  readonly modelUse: ModelUseStep;
  readonly storage: StorageStep;
  readonly offline: OfflineCopy;
  readonly webcam: WebcamStep;
  readonly live: LivePredictStep;
  readonly #ownsClient: boolean;
  #started: Promise<void> | null = null;
  #disposed = false;

  readonly #offlineChanged = () => this.changed();

  constructor({config = {}, client, choices, offline = pageOffline}: LabOptions = {}) {
    super();
    this.config = {...DEFAULT_LAB_CONFIG, ...config};
    this.#ownsClient = !client;
    this.client = client ?? TrainerClient.start();
    this.choices = choices ?? new SavedChoices();
    const changed = () => this.changed();
    this.curves = new CurveRuns(changed);
    this.runtime = new RuntimeStep(this);
    this.weights = new WeightsStep(this);
    this.dataset = new DatasetStep(this);
    this.features = new FeaturesStep(this);
    this.head = new HeadStep(this);
    this.fineTune = new FineTuneStep(this);
    this.results = new ResultsStep(this);
    this.explain = new ExplainStep(this);
    this.demo = new DemoRun(this);
    this.project = new ProjectStep(this);
    this.modelUse = new ModelUseStep(this);
    this.storage = new StorageStep(this);
    this.offline = offline;
    offline.addEventListener('change', this.#offlineChanged);
    this.webcam = new WebcamStep(this);
    this.live = new LivePredictStep(this);
  }

  /** Something any step shows has changed. */
  changed(): void {
    if (!this.#disposed) this.dispatchEvent(new Event('change'));
  }

  /** A run for a step's long job, reporting to this lab. */
  stepRun<R>(): StepRun<R> {
    return new StepRun<R>(
      () => this.changed(),
      (error) => this.#runFailed(error),
    );
  }

  /**
   * The browser's storage was cleared (or a database deleted by another
   * tab) under a running step: what was kept — features, the kept head,
   * checkpoints — may be gone, so every step asks again what there is.
   */
  #runFailed(error: unknown): void {
    if (!hasErrorName(error, ErrorName.StorageCleared)) return;
    this.features.forgetAll();
    void this.head.refresh();
    void this.fineTune.refresh();
  }

  announce<K extends LabEventName>(type: K, detail: LabEventDetail<K>): void {
    if (!this.#disposed) this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  /** A step's job (or the demo) is running. */
  get busy(): boolean {
    return this.demo.running || [this.runtime, this.weights, this.dataset, this.features, this.head, this.fineTune, this.results].some((step) => step.run.running);
  }

  /**
   * Why nothing will be kept after the page closes, or null when it will:
   * the worker's IndexedDB and the page's localStorage, as this frame
   * allows them.
   */
  get notKept(): string | null {
    const worker = this.runtime.storage;
    if (worker && !worker.persistent) return worker.reason ?? 'this frame may not use IndexedDB';
    return this.choices.problem;
  }

  /**
   * Brings the lab up once: backends, storage, the weights the user had (or
   * the configured ones), the dataset (the configured one, or the kept
   * one), and the head and checkpoint kept from an earlier visit.
   */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    void this.runtime.checkStorage();
    const dataset = this.config.datasetUrl ? this.dataset.importUrl(this.config.datasetUrl) : this.dataset.restore();
    const runtime = this.runtime.configure();
    await Promise.all([
      runtime.then((ok) => ok && this.weights.loadAtStart()),
      dataset.then(() => this.#announceKeptFeatures()),
      this.head.refresh(),
      this.fineTune.refresh(),
    ]);
  }

  /** Features kept from an earlier visit for this very dataset are ready as they are. */
  #announceKeptFeatures(): void {
    const ready = this.features.ready;
    if (ready && !ready.result) {
      this.announce('tl-features-ready', {spec: ready.spec, datasetId: ready.datasetId, fromCache: 0, computed: 0, restored: true});
    }
  }

  /** Ends the worker (if the lab started it); pending calls reject with WorkerCrashedError. */
  dispose(): void {
    this.#disposed = true;
    this.offline.removeEventListener('change', this.#offlineChanged);
    this.demo.stop();
    this.project.replay.stop();
    this.webcam.stop();
    this.live.stop();
    if (this.#ownsClient) this.client.dispose();
  }
}
