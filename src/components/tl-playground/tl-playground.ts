import {LitElement, css, html, nothing} from 'lit';
import {customElement, property, state} from 'lit/decorators.js';
import {Task, TaskStatus} from '@lit/task';
import {TrainerClient} from '../../client/trainer-client.ts';
import {ErrorName, hasErrorName} from '../../shared/errors.ts';
import type {BackendOverrides, RuntimeReport, WeightsInfo, WeightsSource} from '../../shared/protocol.ts';
import type {BackendChangeDetail} from '../tl-backend-status/tl-backend-status.ts';
import '../tl-backend-status/tl-backend-status.ts';
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
    input { font: inherit; padding: 0.3rem 0.4rem; }
    button { font: inherit; padding: 0.35rem 0.8rem; cursor: pointer; }
  `;

  /** Where the ImageNet weights are looked for at start (a tfjs layers model.json, relative to the page). */
  @property({attribute: 'weights-url'}) weightsUrl = 'models/vgg16/model.json';

  @state() private overrides: BackendOverrides = readOverrides();
  @state() private weightsUrlInput = '';

  #client: TrainerClient | null = null;

  private readonly runtime = new Task(this, {
    task: ([overrides]: [BackendOverrides]) => this.#trainer().configureRuntime(overrides),
    autoRun: false,
  });

  private readonly weights = new Task(this, {
    task: ([source]: [WeightsSource]) => this.#trainer().loadWeights(source),
    autoRun: false,
  });

  #trainer(): TrainerClient {
    this.#client ??= TrainerClient.start();
    return this.#client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.weightsUrlInput ||= this.weightsUrl;
    void this.runtime.run([this.overrides]).then(() => this.weights.run([{kind: 'url', url: this.weightsUrl}]));
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
    `;
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

function readOverrides(): BackendOverrides {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(OVERRIDES_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as BackendOverrides) : {};
  } catch {
    return {};
  }
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
