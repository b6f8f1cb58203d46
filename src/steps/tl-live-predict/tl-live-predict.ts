import {css, html, nothing} from 'lit';
import {customElement, state} from 'lit/decorators.js';
import {grabFrame, nextVideoFrame} from '../../lab/camera.ts';
import type {Lab} from '../../lab/lab.ts';
import type {LivePredictStep} from '../../lab/live-predict.ts';
import type {LiveModel} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action, runError} from '../step-parts.ts';

const MODEL_LABELS: Record<LiveModel, string> = {
  head: 'The head on the conv base (step 3)',
  'fine-tuned': 'The fine-tuned model (step 4)',
};

/**
 * The trained model on the camera: each frame classified in the worker
 * (prepared exactly as the dataset's images are), a bar per class, and the
 * frames per second actually achieved. Stops, with the camera, when asked,
 * when the tab is hidden, or when the camera goes away.
 *
 * @summary Live prediction from the webcam.
 * @slot overlay - Drawn over the live frame, at its size (the place for a heatmap such as Grad-CAM's).
 * @csspart frame - The live frame with its overlay.
 * @csspart bars - The probability per class.
 */
@customElement('tl-live-predict')
export class TlLivePredict extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      fieldset { border: 0; margin: 0; padding: 0; display: grid; gap: 0.35rem; }
      legend { padding: 0; margin-bottom: 0.25rem; font-size: 0.9em; color: var(--_muted); }
      .frame { position: relative; width: 100%; max-width: 24rem; aspect-ratio: 4 / 3; }
      .frame[hidden] { display: none; }
      .frame video { display: block; width: 100%; height: 100%; object-fit: fill; background: #111; border-radius: calc(var(--_radius) * 0.6); }
      /* Stretched over the frame as the model sees it (stretched to a square, aspect ratio not kept). */
      .overlay { position: absolute; inset: 0; pointer-events: none; }
      .status { margin: 0 0 0.5rem; font-variant-numeric: tabular-nums; }
      ul.bars { list-style: none; margin: 0.75rem 0 0; padding: 0; display: grid; gap: 0.3rem; max-width: 32rem; }
      ul.bars li { display: grid; grid-template-columns: minmax(4rem, 10rem) minmax(0, 1fr) 3.5rem; gap: 0.5rem; align-items: center; }
      .name { overflow-wrap: anywhere; }
      .bar { height: 0.9rem; background: var(--_border); border-radius: 0.45rem; overflow: hidden; }
      .bar span { display: block; height: 100%; background: var(--_accent); }
      li.top .name { font-weight: 600; }
      .pct { text-align: right; font-variant-numeric: tabular-nums; }
    `,
  ];
  protected readonly number = '';
  protected readonly heading = 'Live prediction';
  /** The model the user picked; by default the fine-tuned one when there is one. */
  @state() private choice: LiveModel | null = null;
  #listening: LivePredictStep | null = null;
  readonly #predicted = () => this.requestUpdate();

  protected why() {
    return 'Point the camera at something: the trained model classifies each frame in the worker, resized and preprocessed exactly as the dataset’s images were. The worker takes the next frame only when it has finished one (the others are dropped), so the rate shown is what this computer achieves. While it runs the worker does only this: other steps wait until you stop it.';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#listening?.removeEventListener('prediction', this.#predicted);
    this.#listening = null;
    this.lab?.live.stop();
  }

  protected override updated(): void {
    const live = this.lab?.live ?? null;
    if (live !== this.#listening) {
      this.#listening?.removeEventListener('prediction', this.#predicted);
      live?.addEventListener('prediction', this.#predicted);
      this.#listening = live;
    }
    const video = this.renderRoot.querySelector('video');
    const stream = live?.camera.stream ?? null;
    if (video && video.srcObject !== stream) {
      video.srcObject = stream;
      // Played, not only autoplayed: Chromium pauses a muted autoplaying video that is out of view, and then it has no frame to take.
      if (stream) void video.play().catch(() => {});
    }
  }

  /** The model that runs on Start. */
  #model(lab: Lab): LiveModel {
    return this.choice ?? (lab.live.blocked('fine-tuned') ? 'head' : 'fine-tuned');
  }

  protected renderControls(lab: Lab) {
    const {live} = lab;
    const model = this.#model(lab);
    const starting = live.camera.state === 'starting';
    return html`
      <fieldset ?disabled=${live.running || starting}>
        <legend>Model</legend>
        ${(['head', 'fine-tuned'] as const).map((m) => {
          const blocked = live.blocked(m);
          return html`<label class="check">
            <input type="radio" name="model" value=${m} .checked=${model === m} ?disabled=${Boolean(blocked)} @change=${() => (this.choice = m)} />
            ${MODEL_LABELS[m]}${blocked ? html` <span class="waits">${blocked}</span>` : nothing}
          </label>`;
        })}
      </fieldset>
      <div class="actions">
        ${live.running || starting
          ? html`<button type="button" class="primary" @click=${() => live.stop()}>Stop</button>`
          : action({label: 'Start live prediction', blocked: live.blocked(model), id: 'start', primary: true, onClick: () => void live.start(model, this.#grab)})}
      </div>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {live} = lab;
    const {camera, started} = live;
    const on = live.running && camera.state === 'on';
    return html`
      ${camera.problem
        ? html`<p class="error" role="alert">
            ${camera.problem.reason === 'ended' || camera.problem.reason === 'hidden' ? 'Live prediction stopped. ' : ''}${camera.problem.message}
          </p>`
        : nothing}
      ${runError(live.run, 'Live prediction stopped: ')}
      ${on ? this.#status(live) : !live.running && live.frames > 0 ? html`<p class="status" role="status">Stopped after ${live.frames} frame(s).</p>` : nothing}
      <div class="frame" part="frame" ?hidden=${!on}>
        <video aria-label="Camera, as the model sees it" autoplay muted playsinline></video>
        <div class="overlay"><slot name="overlay"></slot></div>
      </div>
      ${on && started && live.probabilities ? this.#bars(started.classes, live.probabilities) : nothing}
    `;
  }

  #status(live: LivePredictStep) {
    const {started, rate} = live;
    if (!started) return html`<p class="status" role="status">Building the model…</p>`;
    const what = started.model === 'head' ? 'the head' : 'the fine-tuned model';
    return html`<p class="status">
      Predicting with ${what} on ${started.backend} at ${started.spec.inputSize}×${started.spec.inputSize}:
      <strong>${rate === null ? '…' : rate.toFixed(1)} frames/s</strong> (${live.frames} so far)
    </p>`;
  }

  #bars(classes: readonly string[], probabilities: readonly number[]) {
    const top = probabilities.indexOf(Math.max(...probabilities));
    return html`<ul class="bars" part="bars" aria-label="Probability per class">
      ${classes.map((name, k) => {
        const pct = (probabilities[k] ?? 0) * 100;
        return html`<li class=${k === top ? 'top' : ''}>
          <span class="name">${name}</span>
          <span class="bar" aria-hidden="true"><span style="width: ${pct.toFixed(1)}%"></span></span>
          <span class="pct">${pct.toFixed(0)} %</span>
        </li>`;
      })}
    </ul>`;
  }

  /** The video's next frame, as an ImageBitmap for the worker. */
  readonly #grab = async (): Promise<ImageBitmap | null> => {
    const video = this.renderRoot.querySelector('video');
    if (!video) return null;
    await nextVideoFrame(video);
    return grabFrame(video);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-live-predict': TlLivePredict;
  }
}
