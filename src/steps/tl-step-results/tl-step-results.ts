import {html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {ExplainStep} from '../../lab/explain.ts';
import type {Lab} from '../../lab/lab.ts';
import {describeError} from '../../shared/format.ts';
import type {EvaluationResult} from '../../shared/protocol/index.ts';
import type {ResultsHeat} from '../../components/tl-results/tl-results.ts';
import {StepElement} from '../step-element.ts';
import {action, runError, runProgress} from '../step-parts.ts';
import '../../components/tl-explain-view/tl-explain-view.ts';
import '../../components/tl-results/tl-results.ts';

/**
 * Step 5: the head, or the fine-tuned model, scored on the test split:
 * metrics, a confusion matrix, and a gallery with the mistakes first —
 * with, on request, Grad-CAM heat maps of where the model looks, and any
 * image large with the class to explain.
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
    const {results, explain} = lab;
    const result = results.result;
    return html`
      ${runProgress(results.run, 'Evaluating')}
      ${runError(results.run, 'The evaluation failed: ')}
      ${result && !results.run.running
        ? html`<tl-results
              .result=${result}
              .manifest=${lab.dataset.manifest}
              .heat=${heatOf(explain, result)}
              @tl-heat-toggle=${(e: CustomEvent<{shown: boolean}>) => explain.setShown(e.detail.shown)}
              @tl-heat-opacity=${(e: CustomEvent<{opacity: number}>) => explain.setOpacity(e.detail.opacity)}
              @tl-gallery-shown=${(e: CustomEvent<{images: number[]}>) => explain.inView(e.detail.images)}
              @tl-gallery-open=${(e: CustomEvent<{image: number}>) => explain.open(e.detail.image)}
            ></tl-results>
            ${this.#explainView(lab, result)}`
        : nothing}
    `;
  }

  #explainView(lab: Lab, result: EvaluationResult) {
    const {explain} = lab;
    const view = explain.view;
    if (!view) return nothing;
    const failed = explain.run.shownError ?? view.pixelsError;
    return html`<tl-explain-view
      open
      .image=${lab.dataset.manifest?.images[view.image] ?? null}
      .classes=${result.classes}
      .prediction=${result.predictions.find((p) => p.image === view.image) ?? null}
      .target=${view.target}
      .map=${explain.viewMap}
      .grid=${explain.madeBy}
      .pixels=${view.pixels}
      opacity=${explain.opacity}
      about=${aboutMaps(explain, result)}
      problem=${failed ? `Grad-CAM failed: ${describeError(failed)}` : ''}
      @tl-explain-class=${(e: CustomEvent<{target: number | null}>) => explain.explainClass(e.detail.target)}
      @tl-heat-opacity=${(e: CustomEvent<{opacity: number}>) => explain.setOpacity(e.detail.opacity)}
      @tl-explain-close=${() => explain.close()}
    ></tl-explain-view>`;
  }
}

/** The gallery's heat maps and their toggle, as the results show them. */
function heatOf(explain: ExplainStep, result: EvaluationResult): ResultsHeat {
  const error = explain.run.shownError;
  const progress = explain.run.running ? explain.run.progress : null;
  const making = progress ? ` Making maps: ${progress.done} of ${progress.total}…` : explain.run.running ? ' Making maps…' : '';
  return {
    shown: explain.shown,
    opacity: explain.opacity,
    maps: explain.maps,
    grid: explain.madeBy,
    blocked: explain.blocked(),
    about: error ? `Grad-CAM failed: ${describeError(error)}` : aboutMaps(explain, result) + making,
  };
}

/** Which model, layer and backend make the maps, and how coarse they are. */
function aboutMaps(explain: ExplainStep, result: EvaluationResult): string {
  const model = result.model === 'head' ? 'the head on the frozen conv base' : 'the fine-tuned model';
  const made = explain.madeBy;
  if (!made) return `Grad-CAM of ${model} at block5_conv3. Click an image to see it larger and choose the class to explain.`;
  return `Grad-CAM of ${model} at ${made.layer}: ${made.side}×${made.side} cells over the ${made.inputSize}×${made.inputSize} input, computed on ${made.backend}. Click an image to see it larger and choose the class to explain.`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-results': TlStepResults;
  }
}
