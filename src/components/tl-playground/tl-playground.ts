import {LitElement, css, html, nothing} from 'lit';
import {customElement, property, state} from 'lit/decorators.js';
import {Task, TaskStatus} from '@lit/task';
import {TrainerClient} from '../../client/trainer-client.ts';
import {ErrorName, hasErrorName} from '../../shared/errors.ts';
import {
  BACKENDS,
  PHASES,
  type BackendName,
  type BackendOverrides,
  type DatasetManifest,
  type ImportOptions,
  type Progress,
  type RuntimeReport,
  type WeightsInfo,
  type WeightsSource,
} from '../../shared/protocol.ts';
import type {BackendChangeDetail} from '../tl-backend-status/tl-backend-status.ts';
import '../tl-backend-status/tl-backend-status.ts';
import '../tl-dataset-drop/tl-dataset-drop.ts';
import '../tl-dataset-summary/tl-dataset-summary.ts';
import '../tl-gallery/tl-gallery.ts';
import '../tl-progress/tl-progress.ts';
import '../tl-weights-status/tl-weights-status.ts';

const OVERRIDES_KEY = 'transfer-lab:backend-overrides';

/**
 * The playground page: starts the trainer worker, shows the backend each
 * phase runs on and why, and loads the VGG16 weights. The steps of the
 * tutorial (data, features, head, fine-tuning, results) hang off it.
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
    form.split { margin: 0.5rem 0 0.75rem; }
    form.split label { flex: 0 1 7rem; }
    tl-progress, tl-dataset-summary { margin-top: 0.75rem; }
    tl-gallery { margin-top: 0.5rem; }
    input { font: inherit; padding: 0.3rem 0.4rem; }
    button { font: inherit; padding: 0.35rem 0.8rem; cursor: pointer; }
  `;

  /** Where the ImageNet weights are looked for at start (a tfjs layers model.json, relative to the page). */
  @property({attribute: 'weights-url'}) weightsUrl = 'models/vgg16/model.json';

  @state() private overrides: BackendOverrides = readOverrides();
  @state() private weightsUrlInput = '';
  @state() private manifest: DatasetManifest | null = null;
  @state() private importProgress: Progress | null = null;
  @state() private datasetError: unknown = null;

  #client: TrainerClient | null = null;

  private readonly runtime = new Task(this, {
    task: ([overrides]: [BackendOverrides]) => this.#trainer().configureRuntime(overrides),
    autoRun: false,
  });

  private readonly weights = new Task(this, {
    task: ([source]: [WeightsSource]) => this.#trainer().loadWeights(source),
    autoRun: false,
  });

  /** Imports a dropped zip; Task.abort() cancels it in the worker between entries. */
  private readonly importing = new Task(this, {
    task: async ([file, options]: [File, ImportOptions], {signal}) => {
      this.importProgress = null;
      this.datasetError = null;
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

  #trainer(): TrainerClient {
    this.#client ??= TrainerClient.start();
    return this.#client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.weightsUrlInput ||= this.weightsUrl;
    // Task.run never rejects: look at the status before going on.
    void this.runtime.run([this.overrides]).then(() => {
      if (this.runtime.status === TaskStatus.COMPLETE) void this.weights.run([{kind: 'url', url: this.weightsUrl}]);
    });
    void this.#restoreDataset();
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
      </section>
      <section part="section" aria-labelledby="data-title">
        <h2 id="data-title">1 · Data</h2>
        <p class="why">
          A few hundred images per class are enough when the features come from a network trained on millions. Images
          stay on this computer: the zip is read inside the worker.
        </p>
        ${this.#renderData()}
      </section>
    `;
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
              top (model.json + shards) in <code>public/models/vgg16/</code>, or load one from a URL below; random weights
              let you try the pipeline without transfer.
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

function describe(err: unknown): string {
  const {name, message} = err as Error;
  return `${name ?? 'Error'}: ${message ?? String(err)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-playground': TlPlayground;
  }
}
