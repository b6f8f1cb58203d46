import {LitElement, css, html, nothing, type TemplateResult} from 'lit';
import {property} from 'lit/decorators.js';
import type {Lab} from '../lab/lab.ts';
import {LabConfigMixin} from '../lab/lab-config-mixin.ts';
import {LabController} from '../lab/lab-controller.ts';
import {controls, theme} from '../styles/theme.ts';
import '../components/tl-storage-notice/tl-storage-notice.ts';

/** Which of a step's controls show: settings and actions, actions only, or its output alone. */
export type StepControls = 'all' | 'run' | 'none';

const frame = css`
  :host { display: block; container-type: inline-size; }
  :host([hidden]) { display: none; }
  section {
    background: var(--_surface); border: 1px solid var(--_border); border-radius: var(--_radius);
    padding: calc(var(--_space) * 1) calc(var(--_space) * 1.25);
  }
  h2 { margin: 0; font-size: 1.15rem; display: flex; align-items: baseline; gap: 0.5rem; }
  .number {
    display: inline-grid; place-items: center; min-width: 1.6rem; height: 1.6rem; border-radius: 50%;
    background: var(--_accent); color: var(--_on-accent); font-size: 0.9rem;
  }
  .why { color: var(--_muted); margin: calc(var(--_space) * 0.35) 0 calc(var(--_space) * 0.75); max-width: 46rem; }
  .body { display: grid; gap: var(--_space); }
  .controls, .output { min-width: 0; }
  .output:empty { display: none; }
  @container (min-width: 52rem) {
    .body.split { grid-template-columns: minmax(17rem, 23rem) minmax(0, 1fr); align-items: start; }
  }
`;

/**
 * What every step element shares: its lab (from the nearest provider, or
 * one of its own when used alone, configured by the lab attributes), the
 * `controls` and `read-only` attributes, and its frame: a card with the
 * step's title and why it matters, then its controls beside its output.
 *
 * Used alone (no provider above it), a step owns its lab and fires the
 * lab's milestones itself.
 *
 * @fires tl-weights-loaded - Weights were loaded (detail: {info}); when the step owns its lab.
 * @fires tl-dataset-loaded - A dataset was imported or restored (detail: {manifest, restored}).
 * @fires tl-features-ready - The dataset's features are cached (detail: {spec, datasetId, fromCache, computed, restored}).
 * @fires tl-epoch-end - An epoch of the head or of fine-tuning ended (detail: {phase, log}).
 * @fires tl-training-done - The head or fine-tuning finished (detail: {phase, result}).
 * @fires tl-evaluated - A model was scored on the test split (detail: {result}).
 * @cssproperty --tl-font-family - Text font (default: the page's).
 * @cssproperty --tl-color-text - Body text.
 * @cssproperty --tl-color-muted - Explanations, hints, secondary figures.
 * @cssproperty --tl-color-surface - The step's card.
 * @cssproperty --tl-color-border - Card and table borders.
 * @cssproperty --tl-color-accent - Buttons, focus rings, bars, the step's number.
 * @cssproperty --tl-color-on-accent - Text on the accent colour.
 * @cssproperty --tl-color-error - Errors.
 * @cssproperty --tl-color-warning - Warnings (nothing kept).
 * @cssproperty --tl-color-success - Done and ready states.
 * @cssproperty --tl-radius - Corner radius of cards and buttons.
 * @cssproperty --tl-space - The base spacing unit.
 * @csspart step - The step's card.
 * @csspart header - Its title and explanation.
 * @csspart controls - Its settings and buttons.
 * @csspart output - What it shows: progress, status, results.
 */
export abstract class StepElement extends LabConfigMixin(LitElement) {
  static override styles = [theme, controls, frame];

  /** `all`: settings and actions; `run`: actions only (the settings as the lab has them); `none`: the output alone. */
  @property({reflect: true}) controls: StepControls = 'all';

  protected readonly labs = new LabController(this);

  /** The lab this step works in. */
  get lab(): Lab | undefined {
    return this.labs.lab;
  }

  /** Settings are shown but fixed (this element's `read-only`, or its lab's). */
  protected get locked(): boolean {
    return this.readOnly || this.lab?.config.readOnly === true;
  }

  protected get showSettings(): boolean {
    return this.controls === 'all';
  }

  /** The step's number in the tutorial ('' for the parts around it). */
  protected abstract readonly number: string;
  protected abstract readonly heading: string;
  protected abstract why(): TemplateResult | string;
  protected abstract renderControls(lab: Lab): unknown;
  protected abstract renderOutput(lab: Lab): unknown;
  /** Controls and output side by side on a wide card (false: one column). */
  protected readonly split: boolean = true;

  override render() {
    const lab = this.lab;
    if (!lab) return nothing;
    const id = 'step-title';
    return html`
      ${this.labs.owned ? html`<tl-storage-notice .reason=${lab.notKept}></tl-storage-notice>` : nothing}
      <section part="step" aria-labelledby=${id}>
        <header part="header">
          <h2 id=${id}>${this.number ? html`<span class="number" aria-hidden="true">${this.number}</span><span class="visually-hidden">Step ${this.number}: </span>` : nothing}${this.heading}</h2>
          <p class="why">${this.why()}</p>
        </header>
        <div class="body ${this.split && this.controls !== 'none' ? 'split' : ''}">
          ${this.controls === 'none' ? nothing : html`<div class="controls" part="controls">${this.renderControls(lab)}</div>`}
          <div class="output" part="output">${this.renderOutput(lab)}</div>
        </div>
      </section>
    `;
  }
}
