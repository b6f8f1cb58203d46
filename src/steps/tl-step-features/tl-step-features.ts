import {css, html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {PREPROCESSINGS, RESIZE_METHODS, type FeatureRunOptions, type Preprocessing, type ResizeMethod} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action, restoredNote, runError, runProgress} from '../step-parts.ts';
import {PREPROCESSING_CHOICES, RESIZE_CHOICES} from './choices.ts';

/**
 * Step 2: every image through VGG16's conv base once; its bottleneck
 * features are cached in this browser, so the head trains in seconds, offline.
 *
 * @summary Compute and cache the bottleneck features.
 */
@customElement('tl-step-features')
export class TlStepFeatures extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      label.wide { flex: 1 1 100%; }
      label.wide select { width: 100%; }
      .why-choice { font-size: 0.85em; }
    `,
  ];
  protected readonly number = '2';
  protected readonly heading = 'Features';

  protected why() {
    const size = this.lab?.features.options.inputSize ?? 150;
    const channels = this.lab?.weights.info?.widths.at(-1) ?? 512;
    const side = Math.floor(size / 32);
    return `VGG16's convolutional base turns each image into a block of features (${side}×${side}×${channels} at ${size}×${size}) that describe what is in it. They are computed once and kept, so training the head takes seconds and works offline.`;
  }

  protected renderControls(lab: Lab) {
    const {features} = lab;
    const busy = features.run.running;
    const locked = busy || this.locked;
    const o = features.options;
    return html`
      <form @submit=${(e: SubmitEvent) => this.#onSubmit(e, lab)} aria-label="Feature settings">
        ${this.showSettings
          ? html`
              <label>Input size (pixels)<input name="inputSize" type="number" min="32" max="512" step="1" .value=${String(o.inputSize)} ?disabled=${locked} /></label>
              <label>Batch size<input name="batchSize" type="number" min="1" max="64" step="1" .value=${String(o.batchSize)} ?disabled=${locked} /></label>
              <label class="wide">Resize
                <select name="resize" ?disabled=${locked} aria-describedby="resize-why" @change=${(e: Event) => this.#choose(lab, 'resize', e)}>
                  ${RESIZE_METHODS.map((m) => html`<option value=${m} ?selected=${o.resize === m}>${RESIZE_CHOICES[m].label}</option>`)}
                </select>
                <span class="why-choice" id="resize-why">${RESIZE_CHOICES[o.resize].why}</span>
              </label>
              <label class="wide">Preprocessing
                <select name="preprocessing" ?disabled=${locked} aria-describedby="preprocessing-why" @change=${(e: Event) => this.#choose(lab, 'preprocessing', e)}>
                  ${PREPROCESSINGS.map((p) => html`<option value=${p} ?selected=${o.preprocessing === p}>${PREPROCESSING_CHOICES[p].label}</option>`)}
                </select>
                <span class="why-choice" id="preprocessing-why">${PREPROCESSING_CHOICES[o.preprocessing].why}</span>
              </label>
            `
          : html`<p class="hint">${o.inputSize}×${o.inputSize}, ${o.resize} resize, ${o.preprocessing} preprocessing.</p>`}
        <div class="actions">
          ${action({label: 'Compute features', blocked: busy ? 'Computing…' : features.blocked(), id: 'compute', type: 'submit', primary: true})}
          ${this.showSettings && !this.locked ? html`<button type="button" ?disabled=${busy} @click=${() => void features.clear()}>Clear cached features</button>` : nothing}
        </div>
      </form>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {features} = lab;
    const ready = features.ready;
    const result = ready?.result;
    const {spec} = ready ?? {};
    return html`
      ${runProgress(features.run, 'Features')}
      ${runError(features.run, 'The features could not be computed: ')}
      ${features.cleared !== null ? html`<p class="hint" role="status">Cleared ${features.cleared} cached feature entries.</p>` : nothing}
      ${ready && !features.run.running
        ? result
          ? html`<p class="ok" role="status">
              Features ready for ${result.total} images (${spec!.inputSize}×${spec!.inputSize}, ${spec!.resize}, ${spec!.preprocessing}): ${result.fromCache} from
              this browser's cache, ${result.computed} computed${result.backend ? ` on ${result.backend}` : ''}${result.imagesPerSecond ? ` at ${result.imagesPerSecond.toFixed(1)} images/s` : ''}.
            </p>`
          : restoredNote(`features for this dataset (${spec!.inputSize}×${spec!.inputSize}, ${spec!.resize}, ${spec!.preprocessing})`, ready.at)
        : nothing}
    `;
  }

  /** A dropdown's choice is kept at once, so its one-line reason follows it. */
  #choose(lab: Lab, name: 'resize' | 'preprocessing', event: Event): void {
    lab.features.options = {...lab.features.options, [name]: (event.target as HTMLSelectElement).value};
    lab.changed();
  }

  #onSubmit(event: SubmitEvent, lab: Lab): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const o = lab.features.options;
    const options: Required<FeatureRunOptions> = this.showSettings && !this.locked
      ? {
          inputSize: Number(form.get('inputSize')),
          batchSize: Number(form.get('batchSize')),
          resize: form.get('resize') as ResizeMethod,
          preprocessing: form.get('preprocessing') as Preprocessing,
        }
      : o;
    void lab.features.compute(options);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-features': TlStepFeatures;
  }
}
