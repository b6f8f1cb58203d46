import {LitElement, css, html, nothing} from 'lit';
import {customElement, property, state} from 'lit/decorators.js';
import {Task, TaskStatus} from '@lit/task';
import {TrainerClient} from '../../client/trainer-client.ts';
import {DEFAULT_FEATURE_OPTIONS, DEFAULT_FINE_TUNE, DEFAULT_HEAD_OPTIONS} from '../../shared/defaults.ts';
import {DEMO} from '../../shared/demo.ts';
import {ErrorName, hasErrorName} from '../../shared/errors.ts';
import {
  BACKENDS,
  PHASES,
  type BackendName,
  type BackendOverrides,
  type DatasetManifest,
  type EpochLog,
  type CheckpointInfo,
  type EvaluationResult,
  type FineTuneOptions,
  type FineTuneResult,
  type FeatureRunOptions,
  type FeatureRunResult,
  type HeadOptions,
  type HeadResult,
  type ImportOptions,
  type Preprocessing,
  type Progress,
  type RuntimeReport,
  type WeightsInfo,
  type WeightsSource,
} from '../../shared/protocol.ts';
import type {CurveRun} from '../../state/curves.ts';
import type {BackendChangeDetail} from '../tl-backend-status/tl-backend-status.ts';
import '../tl-augment-preview/tl-augment-preview.ts';
import '../tl-backend-status/tl-backend-status.ts';
import '../tl-curves/tl-curves.ts';
import '../tl-dataset-drop/tl-dataset-drop.ts';
import '../tl-dataset-summary/tl-dataset-summary.ts';
import '../tl-gallery/tl-gallery.ts';
import '../tl-progress/tl-progress.ts';
import '../tl-results/tl-results.ts';
import '../tl-training-panel/tl-training-panel.ts';
import '../tl-weights-status/tl-weights-status.ts';

const OVERRIDES_KEY = 'transfer-lab:backend-overrides';
/** The weights loaded last (a URL, or a file's id in IndexedDB), loaded again at start. */
const WEIGHTS_KEY = 'transfer-lab:weights';
/** The last feature run (its spec and dataset), so a reload can train the head without recomputing. */
const FEATURES_KEY = 'transfer-lab:last-features';

const PREPROCESSING: Record<Preprocessing, string> = {
  caffe: 'Keras VGG16 ("caffe"): BGR, ImageNet mean subtracted — what the weights were trained with',
  rescale: 'The tutorial’s rescale = 1/255 — reproduces the blog post, not what VGG16 expects',
};

/**
 * The playground page: starts the trainer worker, shows the backend each
 * phase runs on and why, loads the VGG16 weights, and walks through the
 * tutorial's steps: data, features, head (fine-tuning and results next).
 *
 * @csspart section - Each step's section.
 */
@customElement('tl-playground')
export class TlPlayground extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 60rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45; }
    h1 { margin: 0 0 0.25rem; font-size: 1.75rem; }
    header p { margin: 0 0 1.5rem; color: #4a4f57; }
    section { background: #fff; border: 1px solid #e3e5e8; border-radius: 0.5rem; padding: 1rem 1.25rem; margin-bottom: 1rem; }
    h2 { margin: 0 0 0.5rem; font-size: 1.15rem; }
    .why { color: #4a4f57; margin: 0 0 0.75rem; }
    .error { color: #a1170b; }
    .hint { color: #4a4f57; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin-top: 0.75rem; }
    label { display: flex; flex-direction: column; font-size: 0.9em; color: #4a4f57; flex: 1 1 20rem; }
    select { font: inherit; padding: 0.25rem; max-width: 100%; }
    form.features label { flex: 0 1 9rem; }
    form.features label.wide { flex: 1 1 20rem; }
    tl-curves { margin-top: 1rem; }
    form.split { margin: 0.5rem 0 0.75rem; }
    form.split label { flex: 0 1 7rem; }
    tl-progress, tl-dataset-summary { margin-top: 0.75rem; }
    tl-gallery { margin-top: 0.5rem; }
    input { font: inherit; padding: 0.3rem 0.4rem; }
    button { font: inherit; padding: 0.35rem 0.8rem; cursor: pointer; }
  `;

  /** Where the ImageNet weights are looked for at start (a tfjs layers model.json, relative to the page). */
  @property({attribute: 'weights-url'}) weightsUrl = 'models/vgg16/model.json';
  /** The folder with the offline demo's backbone and dataset (public/demo/ in the app), relative to the page. */
  @property({attribute: 'demo-url'}) demoUrl = 'demo/';

  @state() private overrides: BackendOverrides = readOverrides();
  @state() private weightsUrlInput = '';
  @state() private manifest: DatasetManifest | null = null;
  @state() private importProgress: Progress | null = null;
  @state() private datasetError: unknown = null;
  @state() private featureOptions: Required<FeatureRunOptions> = {...DEFAULT_FEATURE_OPTIONS};
  @state() private featureProgress: Progress | null = null;
  @state() private features: Pick<FeatureRunResult, 'spec' | 'datasetId'> & Partial<FeatureRunResult> | null = readLastFeatures();
  @state() private headOptions: HeadOptions = {...DEFAULT_HEAD_OPTIONS};
  @state() private runs: CurveRun[] = [];
  @state() private featuresCleared: number | null = null;
  @state() private fineTuneOptions: FineTuneOptions = {...DEFAULT_FINE_TUNE};
  @state() private checkpoint: CheckpointInfo | null = null;
  @state() private previewPixels: Uint8Array | null = null;
  /** The demo's current stage while it runs, and how it ended. */
  @state() private demoStage: string | null = null;
  @state() private demoOutcome: {ok: boolean; text: string} | null = null;
  #previewSeed = 1;
  /** The step task the demo is waiting on, so "Stop" can abort it. */
  #demoTask: {abort(): void} | null = null;
  #demoStopped = false;

  #client: TrainerClient | null = null;

  private readonly runtime = new Task(this, {
    task: ([overrides]: [BackendOverrides]) => this.#trainer().configureRuntime(overrides),
    autoRun: false,
  });

  /** Loads weights; a file's or URL's are remembered, so the next visit loads them again (from IndexedDB). */
  private readonly weights = new Task(this, {
    task: async ([source]: [WeightsSource]) => {
      const info = await this.#trainer().loadWeights(source);
      const remembered: WeightsSource | null =
        source.kind === 'file' || source.kind === 'stored' ? {kind: 'stored', id: info.id} : source.kind === 'url' ? source : null;
      if (remembered) localStorage.setItem(WEIGHTS_KEY, JSON.stringify(remembered));
      return info;
    },
    autoRun: false,
  });

  /** Imports a dropped zip; Task.abort() cancels it in the worker between entries. */
  private readonly importing = new Task(this, {
    task: async ([file, options]: [File, ImportOptions], {signal}) => {
      this.importProgress = null;
      this.datasetError = null;
      this.previewPixels = null;
      try {
        this.manifest = await this.#trainer().importDataset(file, options, {
          signal,
          onProgress: (p) => (this.importProgress = p),
        });
      } catch (err) {
        if (!hasErrorName(err, ErrorName.Cancelled)) this.datasetError = err;
        throw err;
      }
    },
    autoRun: false,
  });

  /** Computes the dataset's features into IndexedDB; abort() cancels between batches. */
  private readonly computing = new Task(this, {
    task: async ([options]: [Required<FeatureRunOptions>], {signal}) => {
      this.featureProgress = null;
      this.featuresCleared = null;
      const result = await this.#trainer().computeFeatures(options, {signal, onProgress: (p) => (this.featureProgress = p)});
      this.features = result;
      localStorage.setItem(FEATURES_KEY, JSON.stringify({spec: result.spec, datasetId: result.datasetId}));
      return result;
    },
    autoRun: false,
  });

  /** Trains the head on the cached features; each epoch extends the current run's curves. */
  private readonly training = new Task(this, {
    task: async ([options]: [HeadOptions], {signal}): Promise<HeadResult> => {
      const spec = this.features!.spec;
      const run: CurveRun = {
        id: `run-${this.runs.length + 1}`,
        label: `Run ${this.runs.length + 1} (${options.optimizer}, lr ${options.learningRate}, ${spec.inputSize}px)`,
        history: [],
      };
      this.runs = [...this.runs, run];
      const update = (changes: Partial<CurveRun>) => (this.runs = this.runs.map((r) => (r.id === run.id ? {...r, ...changes} : r)));
      const history: EpochLog[] = [];
      const result = await this.#trainer().trainHead(spec, options, {
        signal,
        onEpoch: (log) => {
          history.push(log);
          update({history: [...history]});
        },
      });
      update({history: result.history, bestEpoch: result.bestEpoch});
      return result;
    },
    autoRun: false,
  });

  /**
   * Fine-tunes block5; the curves continue the last head run with the phase
   * change marked. A failed or cancelled run leaves its checkpoint to resume from.
   */
  private readonly fineTuning = new Task(this, {
    task: async ([options, resume]: [FineTuneOptions, boolean], {signal}): Promise<FineTuneResult> => {
      const head = this.runs.filter((r) => !r.id.startsWith('fine-')).at(-1);
      const headHistory = head?.history ?? [];
      const run: CurveRun = {
        id: `fine-${this.runs.length + 1}`,
        label: `${head ? `${head.label.replace(/ \(.*/, '')} + ` : ''}fine-tune (SGD, lr ${options.learningRate})`,
        history: [...headHistory],
        phaseChanges: [headHistory.length],
      };
      this.runs = [...this.runs, run];
      const show = (fine: EpochLog[]) =>
        (this.runs = this.runs.map((r) =>
          r.id === run.id ? {...r, history: [...headHistory, ...fine.map((l) => ({...l, epoch: headHistory.length + l.epoch}))]} : r,
        ));
      const fine: EpochLog[] = resume ? [...(this.checkpoint?.history ?? [])] : [];
      show(fine);
      try {
        const result = await this.#trainer().fineTune(
          {...options, resume},
          {
            signal,
            onEpoch: (log) => {
              fine.push(log);
              show(fine);
            },
          },
        );
        show(result.history);
        return result;
      } finally {
        await this.#refreshCheckpoint();
      }
    },
    autoRun: false,
  });

  /** Scores the trained head, or the fine-tuned model, on the test split. */
  private readonly evaluation = new Task(this, {
    task: ([which]: ['head' | 'fine-tuned']): Promise<EvaluationResult> =>
      which === 'head' ? this.#trainer().evaluateHead('test') : this.#trainer().evaluateFineTuned('test'),
    autoRun: false,
  });

  #trainer(): TrainerClient {
    this.#client ??= TrainerClient.start();
    return this.#client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.weightsUrlInput ||= this.weightsUrl;
    // Task.run never rejects: look at the status before going on.
    void this.runtime.run([this.overrides]).then(() => {
      if (this.runtime.status === TaskStatus.COMPLETE) void this.weights.run([readWeightsSource() ?? {kind: 'url', url: this.weightsUrl}]);
    });
    void this.#restoreDataset();
    void this.#refreshCheckpoint();
  }

  async #restoreDataset(): Promise<void> {
    try {
      this.manifest = (await this.#trainer().restoreDataset()) ?? this.manifest;
    } catch (err) {
      this.datasetError = err;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#client?.dispose();
    this.#client = null;
  }

  override render() {
    return html`
      <header>
        <h1>Transfer Lab</h1>
        <p>Transfer learning with VGG16, in your browser: a Web Worker runs the network, your images never leave this page.</p>
      </header>
      <section part="section" aria-labelledby="demo-title">
        <h2 id="demo-title">Offline demo</h2>
        <p class="why">
          No ImageNet weights at hand? The demo runs every step below on files that ship with this page: a narrow VGG16
          pre-trained on Fashion-MNIST clothes (T-shirts, trousers, pullovers, dresses, coats — not ImageNet), and 500 images of
          two classes it never saw, bags and ankle boots.
        </p>
        ${this.#renderDemo()}
      </section>
      <section part="section" aria-labelledby="runtime-title">
        <h2 id="runtime-title">Runtime</h2>
        <p class="why">
          Running the network needs a fast backend; the best one differs between running it (inference) and training it.
        </p>
        ${this.#renderRuntime()}
      </section>
      <section part="section" aria-labelledby="weights-title">
        <h2 id="weights-title">VGG16 weights</h2>
        <p class="why">
          Transfer learning starts from weights learnt on a large dataset (ImageNet). Without them, the network is random
          and nothing transfers.
        </p>
        ${this.#renderWeights()}
        <form @submit=${this.#onLoadUrl}>
          <label>tfjs layers model URL (model.json)
            <input name="url" .value=${this.weightsUrlInput} @input=${(e: Event) => (this.weightsUrlInput = (e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" ?disabled=${this.weights.status === TaskStatus.PENDING}>Load</button>
          <button type="button" ?disabled=${this.weights.status === TaskStatus.PENDING} @click=${this.#onRandom}>
            Use random weights
          </button>
        </form>
        <form>
          <label>Or Keras's weights file (.h5, e.g. vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5)
            <input type="file" accept=".h5,.hdf5" ?disabled=${this.weights.status === TaskStatus.PENDING} @change=${this.#onWeightsFile} />
          </label>
        </form>
      </section>
      <section part="section" aria-labelledby="data-title">
        <h2 id="data-title">1 · Data</h2>
        <p class="why">
          A few hundred images per class are enough when the features come from a network trained on millions. Images
          stay on this computer: the zip is read inside the worker.
        </p>
        ${this.#renderData()}
      </section>
      <section part="section" aria-labelledby="features-title">
        <h2 id="features-title">2 · Features</h2>
        <p class="why">
          VGG16's convolutional base turns each image into a block of features (4×4×512 at 150×150) that describe what is
          in it. They are computed once and kept in this browser, so training the head takes seconds and works offline.
        </p>
        ${this.#renderFeatures()}
      </section>
      <section part="section" aria-labelledby="head-title">
        <h2 id="head-title">3 · Head</h2>
        <p class="why">
          A small classifier (Dense 256 → Dropout 0.5 → one output per class) learns from the cached features alone. It
          must be trained before fine-tuning: random layers on top would send large, random gradients into block5 and
          wreck what it learnt.
        </p>
        ${this.#renderHead()}
      </section>
      <section part="section" aria-labelledby="fine-title">
        <h2 id="fine-title">4 · Fine-tune</h2>
        <p class="why">
          Now block5, the last convolutional block, learns too, together with the head, from augmented images (rotated,
          shifted, sheared, zoomed, flipped) so it cannot memorise them. Blocks 1–4 stay frozen: their general features
          (edges, textures) transfer as they are. A small learning rate keeps block5 close to what it knew.
        </p>
        ${this.#renderFineTune()}
      </section>
      <section part="section" aria-labelledby="results-title">
        <h2 id="results-title">5 · Results</h2>
        <p class="why">
          The test split was never used for training or for choosing settings, so it tells how the model does on images
          it has not seen. The mistakes come first: they show what the model confuses.
        </p>
        ${this.#renderResults()}
      </section>
    `;
  }

  #renderDemo() {
    const running = this.demoStage !== null;
    return html`
      ${running
        ? html`<button type="button" @click=${this.#stopDemo}>Stop the demo</button>
            <p role="status">Demo: ${this.demoStage}…</p>`
        : html`<button type="button" ?disabled=${this.runtime.status !== TaskStatus.COMPLETE} @click=${this.#runDemo}>Run the demo</button>`}
      ${this.demoOutcome
        ? html`<p class=${this.demoOutcome.ok ? 'hint' : 'error'} role=${this.demoOutcome.ok ? 'status' : 'alert'}>${this.demoOutcome.text}</p>`
        : nothing}
    `;
  }

  /**
   * The whole workflow on the demo's files, through the same step tasks a
   * user drives by hand (so every step's progress, curves and results show).
   * Stops at the first step that fails or is cancelled, and says which.
   */
  async #runDemo(): Promise<void> {
    this.#demoStopped = false;
    this.demoOutcome = null;
    const folder = new URL(this.demoUrl, document.baseURI);
    const stages: Array<[string, () => Promise<boolean>]> = [
      ['loading the Fashion-MNIST backbone', () => this.#demoStep(this.weights, [{kind: 'url', url: new URL(DEMO.weightsPath, folder).href}])],
      ['importing bags vs ankle boots', async () => this.#demoStep(this.importing, [await fetchDemoDataset(new URL(DEMO.datasetPath, folder)), {}])],
      ['computing features', () => this.#demoStep(this.computing, [(this.featureOptions = {...DEMO.features})])],
      ['training the head', () => this.#demoStep(this.training, [(this.headOptions = {...DEMO.head})])],
      ['fine-tuning block5', () => this.#demoStep(this.fineTuning, [(this.fineTuneOptions = {...DEMO.fineTune}), false])],
      ['evaluating on the test split', () => this.#demoStep(this.evaluation, ['fine-tuned'])],
    ];
    for (const [stage, run] of stages) {
      this.demoStage = stage;
      let done = false;
      try {
        done = (await run()) && !this.#demoStopped;
      } catch (err) {
        this.demoOutcome = {ok: false, text: `The demo stopped while ${stage}: ${describe(err)}`};
      }
      if (!done) {
        this.demoOutcome ??= {ok: false, text: `The demo stopped while ${stage}${this.#demoStopped ? ' (you stopped it)' : ': see that step below'}.`};
        this.demoStage = null;
        return;
      }
    }
    this.demoStage = null;
    const result = this.evaluation.value;
    this.demoOutcome = {
      ok: true,
      text: `Done: the fine-tuned model got ${result ? `${(result.accuracy * 100).toFixed(1)} %` : 'its score'} of the test images right (step 5).`,
    };
  }

  /** Runs one step's task and says whether it completed (Task.run never rejects). */
  async #demoStep<T extends readonly unknown[], R>(task: Task<T, R>, args: T): Promise<boolean> {
    this.#demoTask = task;
    await task.run(args);
    this.#demoTask = null;
    return task.status === TaskStatus.COMPLETE;
  }

  #stopDemo(): void {
    this.#demoStopped = true;
    this.#demoTask?.abort();
  }

  #renderResults() {
    const testImages = this.manifest ? this.manifest.counts.test.reduce((a, b) => a + b, 0) : 0;
    const blocked = !this.manifest
      ? 'Waiting for a dataset (step 1).'
      : testImages === 0
        ? 'This dataset has no test images: add a test/ folder, or give the test split a share in step 1.'
        : '';
    const busy = this.evaluation.status === TaskStatus.PENDING;
    const fineTuned = this.checkpoint !== null && this.checkpoint.datasetId === this.manifest?.id;
    return html`
      <button type="button" ?disabled=${busy || Boolean(blocked)} @click=${() => this.evaluation.run(['head'])}>Evaluate the head on the test split</button>
      <button type="button" ?disabled=${busy || Boolean(blocked) || !fineTuned} @click=${() => this.evaluation.run(['fine-tuned'])}>
        Evaluate the fine-tuned model
      </button>
      ${blocked ? html`<p class="hint">${blocked}</p>` : nothing}
      ${this.evaluation.render({
        pending: () => html`<p role="status">Evaluating…</p>`,
        // Numbers about another dataset or split (imported or redrawn since) are not shown.
        complete: (result) =>
          result.datasetId === this.manifest?.id ? html`<tl-results .result=${result} .manifest=${this.manifest}></tl-results>` : nothing,
        error: (err) => html`<p class="error" role="alert">${describe(err)}</p>`,
      })}
    `;
  }

  /** Why features cannot be computed yet, or '' when they can. */
  #featuresBlocked(): string {
    if (!this.manifest) return 'Waiting for a dataset (step 1).';
    if (this.weights.status !== TaskStatus.COMPLETE) return 'Waiting for VGG16 weights (load them above).';
    return '';
  }

  #renderFeatures() {
    const busy = this.computing.status === TaskStatus.PENDING;
    const blocked = this.#featuresBlocked();
    const o = this.featureOptions;
    const result = this.features;
    const current = result && this.manifest && result.datasetId === this.manifest.id;
    return html`
      <form class="features" @submit=${this.#onComputeFeatures} aria-label="Feature settings">
        <label>Input size (pixels)<input name="inputSize" type="number" min="32" max="512" step="1" .value=${String(o.inputSize)} ?disabled=${busy} /></label>
        <label class="wide">Preprocessing
          <select name="preprocessing" ?disabled=${busy}>
            ${Object.entries(PREPROCESSING).map(([value, text]) => html`<option value=${value} ?selected=${o.preprocessing === value}>${text}</option>`)}
          </select>
        </label>
        <label>Batch size<input name="batchSize" type="number" min="1" max="64" step="1" .value=${String(o.batchSize)} ?disabled=${busy} /></label>
        <button type="submit" ?disabled=${busy || Boolean(blocked)}>Compute features</button>
        <button type="button" ?disabled=${busy} @click=${this.#onClearFeatures}>Clear cached features</button>
      </form>
      ${this.featuresCleared !== null ? html`<p class="hint" role="status">Cleared ${this.featuresCleared} cached feature entries.</p>` : nothing}
      ${blocked ? html`<p class="hint">${blocked}</p>` : nothing}
      ${busy
        ? html`<tl-progress label="Features" unit="images" .progress=${this.featureProgress} cancellable @tl-cancel=${() => this.computing.abort()}></tl-progress>`
        : nothing}
      ${this.computing.status === TaskStatus.ERROR && !hasErrorName(this.computing.error, ErrorName.Cancelled)
        ? html`<p class="error" role="alert">${describe(this.computing.error)}</p>`
        : nothing}
      ${current
        ? html`<p role="status">
            Features ready for ${this.manifest!.images.length} images (${result.spec.inputSize}×${result.spec.inputSize}, ${result.spec.preprocessing})${result.total !== undefined
              ? `: ${result.fromCache} from this browser's cache, ${result.computed} computed${result.backend ? ` on ${result.backend}` : ''}${result.imagesPerSecond ? ` at ${result.imagesPerSecond.toFixed(1)} images/s` : ''}.`
              : ', kept from an earlier visit.'}
          </p>`
        : nothing}
    `;
  }

  #renderHead() {
    // Features are keyed by image content, not by split: after a resplit they are still there. If some
    // are not (another dataset), the worker says so by name.
    const ready = this.features !== null && this.manifest !== null;
    const running = this.training.status === TaskStatus.PENDING;
    const lastRun = this.runs.filter((r) => !r.id.startsWith('fine-')).at(-1);
    return html`
      <tl-training-panel
        .options=${this.headOptions}
        ?running=${running}
        .blocked=${ready ? '' : 'Waiting for features (step 2).'}
        .lastEpoch=${lastRun?.history.at(-1) ?? null}
        @tl-train=${this.#onTrain}
        @tl-cancel=${() => this.training.abort()}
      ></tl-training-panel>
      ${this.training.status === TaskStatus.ERROR && !hasErrorName(this.training.error, ErrorName.Cancelled)
        ? html`<p class="error" role="alert">${describe(this.training.error)}</p>`
        : nothing}
      ${this.training.value
        ? html`<p class="hint">
            Trained on ${this.training.value.backend} (dense layers train on the inference backend, wasm included) from
            ${this.training.value.trainCount} training and ${this.training.value.validationCount} validation images${this.training.value.stoppedEarly
              ? `; stopped early and went back to epoch ${this.training.value.bestEpoch}`
              : ''}.
          </p>`
        : nothing}
      <tl-curves .runs=${this.runs}></tl-curves>
    `;
  }

  /** The last checkpoint; its settings fill the form, so "Resume" goes on with what the run started with. */
  async #refreshCheckpoint(): Promise<void> {
    this.checkpoint = await this.#trainer().checkpointInfo().catch(() => null);
    if (this.checkpoint) this.fineTuneOptions = {...this.checkpoint.options};
  }

  #renderFineTune() {
    const running = this.fineTuning.status === TaskStatus.PENDING;
    const o = this.fineTuneOptions;
    const a = o.augment;
    const backend = this.runtime.value?.phases.training.backend;
    const ready = this.features !== null && this.manifest !== null && this.weights.status === TaskStatus.COMPLETE;
    const canResume = this.checkpoint !== null && this.checkpoint.datasetId === this.manifest?.id;
    const number = (name: string, label: string, value: number, step = 'any', min = '0') =>
      html`<label>${label}<input name=${name} type="number" step=${step} min=${min} .value=${String(value)} ?disabled=${running} /></label>`;
    return html`
      <form class="features" @submit=${this.#onFineTune} aria-label="Fine-tuning settings">
        ${number('learningRate', 'Learning rate', o.learningRate)} ${number('momentum', 'Momentum', o.momentum)}
        ${number('epochs', 'Epochs', o.epochs, '1', '1')} ${number('batchSize', 'Batch size', o.batchSize, '1', '1')}
        ${number('seed', 'Seed', o.seed, '1')} ${number('rotationRange', 'Rotation (°)', a.rotationRange)}
        ${number('widthShiftRange', 'Width shift', a.widthShiftRange)} ${number('heightShiftRange', 'Height shift', a.heightShiftRange)}
        ${number('shearRange', 'Shear (°)', a.shearRange)} ${number('zoomRange', 'Zoom', a.zoomRange)}
        <label><span>Horizontal flip</span><input name="horizontalFlip" type="checkbox" .checked=${a.horizontalFlip} ?disabled=${running} /></label>
        ${running
          ? html`<button type="button" @click=${() => this.fineTuning.abort()}>Cancel</button>`
          : html`<button type="submit" ?disabled=${!ready}>Fine-tune</button>
              ${canResume
                ? html`<button type="submit" name="resume" value="1" ?disabled=${!ready}>Resume after epoch ${this.checkpoint!.epoch}</button>`
                : nothing}`}
      </form>
      <p class="hint">
        A resumed run keeps its seed, learning rate and augmentation; only the number of epochs and the batch size (smaller after
        running out of memory) change. Keras reads the shear range in degrees: the 2016 tutorial's 0.2 meant radians (about 11.5°).
      </p>
      <p class="hint">
        ${ready ? `Runs on ${backend ?? 'the training backend'}; a checkpoint is saved after every epoch.` : 'Waiting for VGG16 weights, features and a trained head (steps 2–3).'}
      </p>
      ${this.fineTuning.status === TaskStatus.ERROR && !hasErrorName(this.fineTuning.error, ErrorName.Cancelled)
        ? html`<p class="error" role="alert">${describe(this.fineTuning.error)}</p>`
        : nothing}
      ${this.manifest ? html`<tl-augment-preview .pixels=${this.previewPixels} size="150" @tl-reroll=${this.#onPreview}></tl-augment-preview>` : nothing}
    `;
  }

  #readFineTuneForm(form: HTMLFormElement): FineTuneOptions {
    const data = new FormData(form);
    const n = (name: string) => Number(data.get(name));
    return {
      learningRate: n('learningRate'),
      momentum: n('momentum'),
      epochs: n('epochs'),
      batchSize: n('batchSize'),
      seed: n('seed'),
      augment: {
        rotationRange: n('rotationRange'),
        widthShiftRange: n('widthShiftRange'),
        heightShiftRange: n('heightShiftRange'),
        shearRange: n('shearRange'),
        zoomRange: n('zoomRange'),
        horizontalFlip: data.get('horizontalFlip') !== null,
      },
    };
  }

  #onFineTune(event: SubmitEvent): void {
    event.preventDefault();
    const form = this.#readFineTuneForm(event.target as HTMLFormElement);
    const resume = (event.submitter as HTMLButtonElement | null)?.name === 'resume';
    // A resume sends only what may change; the worker keeps the rest from the checkpoint.
    this.fineTuneOptions = resume ? {...this.fineTuneOptions, epochs: form.epochs, batchSize: form.batchSize} : form;
    void this.fineTuning.run([this.fineTuneOptions, resume]);
  }

  async #onPreview(): Promise<void> {
    const image = this.manifest?.images.findIndex((i) => i.split === 'train') ?? -1;
    if (image < 0) return;
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[aria-label="Fine-tuning settings"]');
    const augment = form ? this.#readFineTuneForm(form).augment : this.fineTuneOptions.augment;
    try {
      this.previewPixels = await this.#trainer().augmentPreview(image, 8, this.#previewSeed++, augment, 150);
    } catch (err) {
      this.previewPixels = null;
      this.datasetError = err;
    }
  }

  #onComputeFeatures(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.featureOptions = {
      inputSize: Number(form.get('inputSize')),
      preprocessing: form.get('preprocessing') as Preprocessing,
      batchSize: Number(form.get('batchSize')),
    };
    void this.computing.run([this.featureOptions]);
  }

  async #onClearFeatures(): Promise<void> {
    this.featuresCleared = await this.#trainer().clearFeatures();
    this.features = null;
    localStorage.removeItem(FEATURES_KEY);
  }

  #onTrain(event: CustomEvent<{options: HeadOptions}>): void {
    this.headOptions = event.detail.options;
    void this.training.run([this.headOptions]);
  }

  #renderData() {
    const busy = this.importing.status === TaskStatus.PENDING;
    const dataset = this.manifest;
    return html`
      <tl-dataset-drop ?disabled=${busy} @tl-dataset-file=${this.#onDatasetFile}></tl-dataset-drop>
      ${busy
        ? html`<tl-progress label="Importing" unit="files" .progress=${this.importProgress} cancellable @tl-cancel=${() => this.importing.abort()}></tl-progress>`
        : nothing}
      ${this.datasetError ? this.#renderDatasetError(this.datasetError) : nothing}
      ${dataset
        ? html`
            <tl-dataset-summary .manifest=${dataset}></tl-dataset-summary>
            ${dataset.layout === 'classes' && dataset.split ? this.#renderSplitForm(dataset.split) : nothing}
            <tl-gallery .images=${dataset.images} .classes=${dataset.classes}></tl-gallery>
          `
        : nothing}
    `;
  }

  #renderDatasetError(err: unknown) {
    const problems = (err as {details?: {problems?: {message: string; fix: string}[]}}).details?.problems;
    return html`<div class="error" role="alert">
      ${problems
        ? html`<p>${(err as Error).name}: this zip cannot train a classifier yet.</p>
            <ul>${problems.map((p) => html`<li>${p.message} ${p.fix}</li>`)}</ul>`
        : html`<p>${describe(err)}</p>`}
      ${this.manifest ? html`<p class="hint">The dataset you had before is still loaded.</p>` : nothing}
    </div>`;
  }

  #renderSplitForm(split: NonNullable<DatasetManifest['split']>) {
    const sum = split.fractions.train + split.fractions.validation + split.fractions.test;
    const pct = (f: number) => Math.round((f / sum) * 100);
    return html`<form class="split" @submit=${this.#onResplit} aria-label="Split">
      <label>Train %<input name="train" type="number" min="0" max="100" .value=${String(pct(split.fractions.train))} /></label>
      <label>Validation %<input name="validation" type="number" min="0" max="100" .value=${String(pct(split.fractions.validation))} /></label>
      <label>Test %<input name="test" type="number" min="0" max="100" .value=${String(pct(split.fractions.test))} /></label>
      <label>Seed<input name="seed" type="number" step="1" .value=${String(split.seed)} /></label>
      <button type="submit">Split again</button>
    </form>`;
  }

  #onDatasetFile(event: CustomEvent<{file: File}>): void {
    const options = this.manifest?.split ?? {};
    void this.importing.run([event.detail.file, options]);
  }

  async #onResplit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => Number(form.get(name));
    try {
      this.datasetError = null;
      this.manifest = await this.#trainer().resplitDataset({
        seed: number('seed'),
        fractions: {train: number('train') / 100, validation: number('validation') / 100, test: number('test') / 100},
      });
    } catch (err) {
      this.datasetError = err;
    }
  }

  #renderRuntime() {
    const report: RuntimeReport | undefined = this.runtime.value;
    const pending = this.runtime.status === TaskStatus.PENDING;
    return html`
      ${pending && !report ? html`<p role="status">Starting the worker and probing backends…</p>` : nothing}
      ${this.runtime.status === TaskStatus.ERROR ? html`<p class="error" role="alert">${describe(this.runtime.error)}</p>` : nothing}
      <tl-backend-status .report=${report ?? null} .overrides=${this.overrides} ?busy=${pending} @tl-backend-change=${this.#onBackendChange}></tl-backend-status>
    `;
  }

  #renderWeights() {
    return this.weights.render({
      initial: () => html`<p role="status">Waiting for the runtime…</p>`,
      pending: () => html`<p role="status">Loading weights…</p>`,
      complete: (info: WeightsInfo) => html`<tl-weights-status .info=${info}></tl-weights-status>`,
      error: (err: unknown) =>
        hasErrorName(err, ErrorName.WeightsUnreadable)
          ? html`<p class="hint" role="status">
              No VGG16 weights could be read (${(err as Error).message}). Put a tfjs layers export of Keras's VGG16 without
              top (model.json + shards) in <code>public/models/vgg16/</code> (<code>npm run weights</code>), or load one from a URL
              below; random weights let you try the pipeline without transfer, and the offline demo above brings its own backbone.
            </p>`
          : html`<p class="error" role="alert">${describe(err)}</p>`,
    });
  }

  #onBackendChange(event: CustomEvent<BackendChangeDetail>): void {
    const {phase, backend} = event.detail;
    const overrides = {...this.overrides};
    if (backend) overrides[phase] = backend;
    else delete overrides[phase];
    this.overrides = overrides;
    localStorage.setItem(OVERRIDES_KEY, JSON.stringify(overrides));
    void this.runtime.run([overrides]);
  }

  #onLoadUrl(event: SubmitEvent): void {
    event.preventDefault();
    const url = this.weightsUrlInput.trim();
    if (url) void this.weights.run([{kind: 'url', url}]);
  }

  #onWeightsFile(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.weights.run([{kind: 'file', file}]);
  }

  #onRandom(): void {
    void this.weights.run([{kind: 'random', seed: 1}]);
  }
}

/** The user's saved backend choices; anything unknown (an old or edited value) is dropped. */
function readOverrides(): BackendOverrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(localStorage.getItem(OVERRIDES_KEY) ?? '{}');
  } catch {
    return {};
  }
  const overrides: BackendOverrides = {};
  for (const phase of PHASES) {
    const value = (parsed as Record<string, unknown> | null)?.[phase];
    if (BACKENDS.includes(value as BackendName)) overrides[phase] = value as BackendName;
  }
  return overrides;
}

function readWeightsSource(): WeightsSource | null {
  try {
    const saved = JSON.parse(localStorage.getItem(WEIGHTS_KEY) ?? 'null') as WeightsSource | null;
    if (saved?.kind === 'url' && typeof saved.url === 'string') return saved;
    if (saved?.kind === 'stored' && typeof saved.id === 'string') return saved;
    return null;
  } catch {
    return null;
  }
}

function readLastFeatures(): Pick<FeatureRunResult, 'spec' | 'datasetId'> | null {
  try {
    const saved = JSON.parse(localStorage.getItem(FEATURES_KEY) ?? 'null') as Pick<FeatureRunResult, 'spec' | 'datasetId'> | null;
    return saved?.spec?.weightsId && saved.datasetId ? saved : null;
  } catch {
    return null;
  }
}

/** The demo's zip, from the page's own server (it ships with the app: no internet needed). */
async function fetchDemoDataset(url: URL): Promise<File> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not fetch ${url.href}: HTTP ${response.status}`);
  return new File([await response.blob()], url.pathname.split('/').at(-1)!, {type: 'application/zip'});
}

function describe(err: unknown): string {
  const {name, message} = err as Error;
  return `${name ?? 'Error'}: ${message ?? String(err)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-playground': TlPlayground;
  }
}
