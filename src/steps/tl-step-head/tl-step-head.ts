import {css, html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import type {HeadOptions} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {restoredNote, runError} from '../step-parts.ts';
import '../../components/tl-curves/tl-curves.ts';
import '../../components/tl-head-panel/tl-head-panel.ts';

/**
 * Step 3: a small classifier trained on the cached features alone, with
 * live loss and accuracy curves (every run of the visit overlaid).
 *
 * @summary Train the classifier head on cached features.
 */
@customElement('tl-step-head')
export class TlStepHead extends StepElement {
  static override styles = [...StepElement.styles, css`tl-curves { margin-top: 0; }`];
  protected readonly number = '3';
  protected readonly heading = 'Head';

  protected why() {
    return 'A small classifier (Dense 256 → Dropout 0.5 → one output per class) learns from the cached features alone. It must be trained before fine-tuning: random layers on top would send large, random gradients into block5 and wreck what it learnt.';
  }

  protected renderControls(lab: Lab) {
    const {head} = lab;
    return html`
      <tl-head-panel
        .options=${head.options}
        ?running=${head.run.running}
        ?locked=${this.locked}
        ?no-settings=${!this.showSettings}
        .blocked=${head.blocked()}
        .lastEpoch=${head.lastEpoch}
        @tl-train=${(e: CustomEvent<{options: HeadOptions}>) => void head.train(e.detail.options)}
        @tl-cancel=${() => head.run.abort()}
      ></tl-head-panel>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {head} = lab;
    const result = head.run.value;
    const trained = head.trained;
    return html`
      ${runError(head.run, 'The head could not be trained: ')}
      ${result && trained && !trained.restored && !head.run.running
        ? html`<p class="hint">
            Trained on ${result.backend} (dense layers train on the inference backend, wasm included) from ${result.trainCount} training and
            ${result.validationCount} validation images${result.stoppedEarly ? `; stopped early and went back to epoch ${result.bestEpoch}` : ''}.
          </p>`
        : nothing}
      ${trained?.restored && !head.run.running
        ? restoredNote(`the head trained on these ${trained.spec.inputSize}×${trained.spec.inputSize} features (seed ${trained.seed})`, trained.trainedAt)
        : nothing}
      <tl-curves .runs=${lab.curves.list}></tl-curves>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-head': TlStepHead;
  }
}
