import {css, html, nothing} from 'lit';
import {customElement, state} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {DEMO} from '../../shared/demo.ts';
import {formatWhen} from '../../shared/format.ts';
import {StepElement} from '../step-element.ts';
import {runError, runProgress} from '../step-parts.ts';
import '../../components/tl-weights-status/tl-weights-status.ts';

/**
 * The weights the conv base starts from: VGG16's ImageNet weights (a tfjs
 * model.json by URL, or Keras's own .h5), the demo's small backbone, or
 * random ones. A first visit without ImageNet weights reads as a choice,
 * not as an error.
 *
 * @summary Choose and load the VGG16 weights.
 */
@customElement('tl-step-weights')
export class TlStepWeights extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      .choices { display: grid; gap: calc(var(--_space) * 0.75); }
      fieldset { border: 1px solid var(--_border); border-radius: var(--_radius); padding: calc(var(--_space) * 0.6) calc(var(--_space) * 0.8); margin: 0; min-width: 0; }
      legend { font-weight: 600; padding: 0 0.25rem; }
      fieldset p { margin: 0 0 0.5rem; color: var(--_muted); font-size: 0.9em; }
      label.url { flex: 1 1 16rem; }
      label.url input { width: 100%; box-sizing: border-box; }
    `,
  ];
  protected readonly number = '';
  protected readonly heading = 'VGG16 weights';
  @state() private urlInput: string | null = null;

  protected why() {
    return 'Transfer learning starts from weights learnt on a large dataset (ImageNet). Without them the network is random, and nothing transfers.';
  }

  protected renderControls(lab: Lab) {
    const busy = lab.weights.run.running || this.locked;
    const start = lab.weights.startSource();
    const url = this.urlInput ?? (lab.weights.source?.kind === 'url' ? lab.weights.source.url : start.kind === 'url' ? start.url : '');
    const demoUrl = new URL(DEMO.weightsPath, new URL(lab.config.demoUrl, document.baseURI)).href;
    return html`
      <div class="choices">
        <fieldset>
          <legend>ImageNet VGG16 (the tutorial's)</legend>
          <p>
            58 MB, once: after that this browser keeps a copy. Give a tfjs layers model (model.json + shards; <code>npm run weights</code> makes
            one in <code>public/models/vgg16/</code>), or Keras's own file <code>vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5</code>.
          </p>
          <form @submit=${(e: SubmitEvent) => this.#onUrl(e, lab, url)} aria-label="Load weights from a URL">
            <label class="url">model.json URL
              <input name="url" .value=${url} ?disabled=${busy} @input=${(e: Event) => (this.urlInput = (e.target as HTMLInputElement).value)} />
            </label>
            <button type="submit" ?disabled=${busy}>Load</button>
          </form>
          <form aria-label="Load Keras weights from a file">
            <label>Or Keras's .h5 file
              <input type="file" accept=".h5,.hdf5" ?disabled=${busy} @change=${(e: Event) => this.#onFile(e, lab)} />
            </label>
          </form>
        </fieldset>
        <fieldset>
          <legend>No download</legend>
          <p>The demo's narrow VGG16, pre-trained on Fashion-MNIST clothes (not ImageNet, 3.7 MB, ships with this page); or random weights, the baseline without transfer.</p>
          <div class="actions">
            <button type="button" ?disabled=${busy} @click=${() => void lab.weights.load({kind: 'url', url: demoUrl})}>Use the demo backbone</button>
            <button type="button" ?disabled=${busy} @click=${() => void lab.weights.load({kind: 'random', seed: lab.config.seed ?? 1})}>Use random weights</button>
          </div>
        </fieldset>
      </div>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {run, info} = lab.weights;
    return html`
      ${runProgress(run, 'Weights')}
      ${lab.weights.missingAtStart
        ? html`<p class="hint" role="status">
            <strong>Choose the weights to start from.</strong> ${(run.error as Error).message}
            Load it from a URL or a Keras file, or try everything at once with the demo backbone — or the offline demo above.
          </p>`
        : runError(run, 'The weights could not be loaded (the ones before stay loaded): ')}
      ${info
        ? html`<tl-weights-status .info=${info}></tl-weights-status>
            ${info.origin === 'indexeddb' && info.savedAt ? html`<p class="restored">Restored from this browser: kept ${formatWhen(info.savedAt)}.</p>` : nothing}`
        : run.running || lab.weights.missingAtStart || run.shownError
          ? nothing
          : html`<p role="status">${lab.runtime.ready ? 'No weights loaded yet.' : 'Waiting for the runtime to start…'}</p>`}
    `;
  }

  #onUrl(event: SubmitEvent, lab: Lab, url: string): void {
    event.preventDefault();
    if (url.trim()) void lab.weights.load({kind: 'url', url: url.trim()});
  }

  #onFile(event: Event, lab: Lab): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void lab.weights.load({kind: 'file', file});
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-weights': TlStepWeights;
  }
}
