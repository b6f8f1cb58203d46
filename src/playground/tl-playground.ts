import {ContextProvider} from '@lit/context';
import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import type {Lab} from '../lab/lab.ts';
import {LabConfigMixin} from '../lab/lab-config-mixin.ts';
import {labContext} from '../lab/lab-context.ts';
import {LabOwner} from '../lab/lab-owner.ts';
import {theme} from '../styles/theme.ts';
import {STEP_NAMES, stepStatus, type StepName} from './step-status.ts';
import '../components/tl-storage-notice/tl-storage-notice.ts';
import '../steps/tl-demo/tl-demo.ts';
import '../steps/tl-step-runtime/tl-step-runtime.ts';
import '../steps/tl-step-weights/tl-step-weights.ts';
import '../steps/tl-step-data/tl-step-data.ts';
import '../steps/tl-step-webcam/tl-step-webcam.ts';
import '../steps/tl-step-features/tl-step-features.ts';
import '../steps/tl-step-head/tl-step-head.ts';
import '../steps/tl-step-fine-tune/tl-step-fine-tune.ts';
import '../steps/tl-step-results/tl-step-results.ts';
import '../steps/tl-live-predict/tl-live-predict.ts';
import '../steps/tl-step-export/tl-step-export.ts';
import '../steps/tl-step-project/tl-step-project.ts';
import '../steps/tl-step-storage/tl-step-storage.ts';

const LABELS: Record<StepName, string> = {
  demo: 'Offline demo',
  runtime: 'Runtime',
  weights: 'VGG16 weights',
  data: '1 · Data',
  webcam: '1 · …or the webcam',
  features: '2 · Features',
  head: '3 · Head',
  'fine-tune': '4 · Fine-tune',
  results: '5 · Results',
  live: 'Live prediction',
  export: 'Use the model',
  project: 'Save and reopen',
  storage: 'Offline & storage',
};

const MARK: Record<string, string> = {done: '✓', running: '…', ready: '○', waiting: '·', failed: '!'};

/**
 * The whole tutorial on one page: the step elements in order over one
 * shared lab, with a list of the steps and where each stands (beside them
 * on a wide screen, above them on a narrow one).
 *
 * @summary The playground: every step, in order, over one lab.
 * @csspart nav - The list of steps.
 * @csspart steps - The column of step elements.
 * @fires tl-weights-loaded - See <tl-lab>.
 * @fires tl-dataset-loaded - See <tl-lab>.
 * @fires tl-features-ready - See <tl-lab>.
 * @fires tl-epoch-end - See <tl-lab>.
 * @fires tl-training-done - See <tl-lab>.
 * @fires tl-evaluated - See <tl-lab>.
 */
@customElement('tl-playground')
export class TlPlayground extends LabConfigMixin(LitElement) {
  static override styles = [
    theme,
    css`
      :host { display: block; container-type: inline-size; padding: calc(var(--_space) * 1.5) var(--_space); box-sizing: border-box; }
      .page { max-width: 82rem; margin: 0 auto; }
      header h1 { margin: 0 0 0.25rem; font-size: 1.75rem; }
      header p { margin: 0 0 calc(var(--_space) * 1.25); color: var(--_muted); max-width: 46rem; }
      .layout { display: grid; gap: calc(var(--_space) * 1.25); }
      .layout > * { min-width: 0; }
      nav ol { list-style: none; margin: 0; padding: 0; display: flex; gap: 0.4rem; overflow-x: auto; padding-bottom: 0.25rem; }
      nav a {
        display: grid; grid-template-columns: 1.3rem auto; column-gap: 0.35rem; align-items: baseline; white-space: nowrap;
        padding: 0.35rem 0.6rem; border: 1px solid var(--_border); border-radius: var(--_radius);
        background: var(--_surface); color: var(--_text); text-decoration: none;
      }
      nav a:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
      nav .mark { grid-row: span 2; text-align: center; font-weight: 700; color: var(--_muted); }
      nav .done .mark { color: var(--_success); }
      nav .running .mark { color: var(--_accent); }
      nav .failed .mark { color: var(--_error); }
      nav .state { font-size: 0.8em; color: var(--_muted); }
      .steps { display: grid; gap: var(--_space); min-width: 0; }
      @container (min-width: 60rem) {
        .layout { grid-template-columns: 13.5rem minmax(0, 1fr); align-items: start; }
        nav { position: sticky; top: var(--_space); }
        nav ol { flex-direction: column; overflow: visible; }
      }
    `,
  ];

  /** Which steps show, in order (space-separated): demo runtime weights data webcam features head fine-tune results live export project storage. */
  @property({
    converter: {fromAttribute: (value: string | null) => (value ?? '').split(/\s+/).filter((s): s is StepName => STEP_NAMES.includes(s as StepName))},
  })
  steps: StepName[] = [...STEP_NAMES];

  readonly #provider = new ContextProvider(this, {context: labContext});
  readonly #changed = () => this.requestUpdate();
  readonly #owner = new LabOwner(this, (lab) => {
    this.#provider.value?.removeEventListener('change', this.#changed);
    lab?.addEventListener('change', this.#changed);
    this.#provider.setValue(lab);
  });

  constructor() {
    super();
    this.addController(this.#owner);
  }

  /** The lab the steps share. */
  get lab(): Lab | undefined {
    return this.#owner.lab;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#owner.ensure();
  }

  override render() {
    const lab = this.lab;
    if (!lab) return nothing;
    const shown = STEP_NAMES.filter((s) => this.steps.includes(s));
    return html`
      <div class="page">
        <header>
          <h1>Transfer Lab</h1>
          <p>Transfer learning with VGG16, in your browser: a Web Worker runs the network, and your images never leave this page.</p>
        </header>
        <tl-storage-notice .reason=${lab.notKept}></tl-storage-notice>
        <div class="layout">
          <nav part="nav" aria-label="Steps">
            <ol>
              ${shown.map((step) => {
                const status = stepStatus(lab, step);
                return html`<li class=${status.state}>
                  <a href="#${step}" @click=${(e: Event) => this.#go(e, step)}>
                    <span class="mark" aria-hidden="true">${MARK[status.state]}</span><span>${LABELS[step]}</span
                    ><span class="state">${status.text}</span>
                  </a>
                </li>`;
              })}
            </ol>
          </nav>
          <div class="steps" part="steps">
            ${shown.map((step) => this.#step(step))}
          </div>
        </div>
      </div>
    `;
  }

  #step(step: StepName) {
    const readOnly = this.readOnly;
    switch (step) {
      case 'demo':
        return html`<tl-demo id="demo" ?read-only=${readOnly}></tl-demo>`;
      case 'runtime':
        return html`<tl-step-runtime id="runtime" ?read-only=${readOnly}></tl-step-runtime>`;
      case 'weights':
        return html`<tl-step-weights id="weights" ?read-only=${readOnly}></tl-step-weights>`;
      case 'data':
        return html`<tl-step-data id="data" ?read-only=${readOnly}></tl-step-data>`;
      case 'webcam':
        return html`<tl-step-webcam id="webcam" ?read-only=${readOnly}></tl-step-webcam>`;
      case 'features':
        return html`<tl-step-features id="features" ?read-only=${readOnly}></tl-step-features>`;
      case 'head':
        return html`<tl-step-head id="head" ?read-only=${readOnly}></tl-step-head>`;
      case 'fine-tune':
        return html`<tl-step-fine-tune id="fine-tune" ?read-only=${readOnly}></tl-step-fine-tune>`;
      case 'results':
        return html`<tl-step-results id="results" ?read-only=${readOnly}></tl-step-results>`;
      case 'live':
        return html`<tl-live-predict id="live" ?read-only=${readOnly}></tl-live-predict>`;
      case 'export':
        return html`<tl-step-export id="export" ?read-only=${readOnly}></tl-step-export>`;
      case 'project':
        return html`<tl-step-project id="project" ?read-only=${readOnly}></tl-step-project>`;
      case 'storage':
        return html`<tl-step-storage id="storage" ?read-only=${readOnly}></tl-step-storage>`;
    }
  }

  /** Fragment links do not reach into a shadow root: scroll to the step and move focus to its heading. */
  #go(event: Event, step: StepName): void {
    event.preventDefault();
    const target = this.renderRoot.querySelector<HTMLElement>(`#${CSS.escape(step)}`);
    if (!target) return;
    target.scrollIntoView({behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'start'});
    const heading = target.shadowRoot?.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({preventScroll: true});
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-playground': TlPlayground;
  }
}
