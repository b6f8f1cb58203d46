import {html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {StepElement} from '../step-element.ts';
import {action, runError, runProgress} from '../step-parts.ts';
import '../../components/tl-results/tl-results.ts';

/**
 * Step 5: the head, or the fine-tuned model, scored on the test split:
 * metrics, a confusion matrix, and a gallery with the mistakes first.
 *
 * @summary Score the model on the test split.
 */
@customElement('tl-step-results')
export class TlStepResults extends StepElement {
  protected readonly number = '5';
  protected readonly heading = 'Results';
  protected override readonly split = false;

  protected why() {
    return 'The test split was never used for training or for choosing settings, so it tells how the model does on images it has not seen. The mistakes come first: they show what the model confuses.';
  }

  protected renderControls(lab: Lab) {
    const {results} = lab;
    const busy = results.run.running;
    return html`<div class="actions">
      ${busy
        ? html`<button type="button" @click=${() => results.run.abort()}>Cancel</button>`
        : html`${action({label: 'Evaluate the head on the test split', blocked: results.blocked('head'), id: 'evaluate-head', onClick: () => void results.evaluate('head')})}
          ${action({label: 'Evaluate the fine-tuned model', blocked: results.blocked('fine-tuned'), id: 'evaluate-fine-tuned', onClick: () => void results.evaluate('fine-tuned')})}`}
    </div>`;
  }

  protected renderOutput(lab: Lab) {
    const {results} = lab;
    const result = results.result;
    return html`
      ${runProgress(results.run, 'Evaluating')}
      ${runError(results.run, 'The evaluation failed: ')}
      ${result && !results.run.running ? html`<tl-results .result=${result} .manifest=${lab.dataset.manifest}></tl-results>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-results': TlStepResults;
  }
}
