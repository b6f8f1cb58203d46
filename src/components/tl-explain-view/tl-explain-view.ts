import {LitElement, css, html, nothing, type PropertyValues} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import type {DatasetImage, GradCamMap, ImagePrediction} from '../../shared/protocol/index.ts';
import {controls, theme} from '../../styles/theme.ts';
import {describeHeatMap, type HeatMapGrid} from '../../view-model/heat-map.ts';
import {opacitySlider} from '../tl-heat-map/opacity-slider.ts';
import '../tl-heat-map/tl-heat-map.ts';

export interface ExplainClassDetail {
  /** The class to explain; null: the predicted one. */
  target: number | null;
}

/**
 * One image's Grad-CAM map, large, in a modal dialog: the pixels the
 * network saw (its input size, its resize) with the map over them, where
 * the map is hot in words, the class to explain (the predicted one unless
 * another is chosen), the opacity, and which model and backend made it.
 *
 * @fires tl-explain-class - Another class was chosen (detail: {target}, null for the predicted one).
 * @fires tl-heat-opacity - The opacity was changed (detail: {opacity}).
 * @fires tl-explain-close - The dialog was closed (its button, Escape).
 * @csspart dialog - The dialog.
 */
@customElement('tl-explain-view')
export class TlExplainView extends LitElement {
  static override styles = [
    theme,
    controls,
    css`
      dialog {
        max-width: min(34rem, calc(100vw - 2rem)); border: 1px solid var(--_border); border-radius: var(--_radius);
        background: var(--_surface); color: var(--_text); padding: var(--_space);
      }
      dialog::backdrop { background: rgb(0 0 0 / 0.45); }
      h3 { margin: 0 0 0.4rem; font-size: 1.05rem; }
      p { margin: 0.4rem 0; }
      .stage { width: min(18rem, 100%); aspect-ratio: 1; background: var(--_border); border-radius: calc(var(--_radius) * 0.6); overflow: hidden; }
      .stage tl-heat-map { width: 100%; height: 100%; }
      .changed { color: var(--_warning); }
      .row { display: flex; flex-wrap: wrap; gap: calc(var(--_space) * 0.75); align-items: end; margin-top: calc(var(--_space) * 0.5); }
    `,
  ];

  @property({type: Boolean}) open = false;
  @property({attribute: false}) image: DatasetImage | null = null;
  @property({attribute: false}) classes: readonly string[] = [];
  /** What the evaluation said about this image. */
  @property({attribute: false}) prediction: ImagePrediction | null = null;
  /** The class explained; null: the predicted one. */
  @property({attribute: false}) target: number | null = null;
  /** The map, once made. */
  @property({attribute: false}) map: GradCamMap | null = null;
  @property({attribute: false}) grid: Omit<HeatMapGrid, 'values'> | null = null;
  /** The network's input, RGB, grid.inputSize square. */
  @property({attribute: false}) pixels: Uint8Array | null = null;
  @property({type: Number}) opacity = 0.5;
  /** Which model, layer and backend made the map, in words. */
  @property() about = '';
  /** What went wrong making the map or reading the pixels, if anything. */
  @property() problem = '';

  override render() {
    const {image, prediction, map, grid} = this;
    const name = (c: number) => this.classes[c] ?? String(c);
    const where = map && grid ? describeHeatMap({values: map.values, side: grid.side}) : null;
    const words = !map
      ? this.problem || 'Making the map…'
      : where
        ? `For ${name(map.target)}, it ${where}.`
        : `No region raises the score of ${name(map.target)}: the map is empty.`;
    return html`<dialog part="dialog" aria-labelledby="title" @close=${this.#closed}>
      <h3 id="title">Where the model looks</h3>
      ${image && prediction
        ? html`<p>
            <code>${image.path}</code>: predicted <strong>${name(prediction.predicted)}</strong> (${Math.round(prediction.probability * 100)} %),
            truly ${name(prediction.truth)}.
          </p>`
        : nothing}
      ${map && prediction && map.predicted !== prediction.predicted
        ? html`<p class="changed">The model now predicts ${name(map.predicted)}: it has changed since this evaluation. Evaluate it again to update the gallery.</p>`
        : nothing}
      <div class="stage">
        <tl-heat-map
          .values=${map?.values ?? null}
          .pixels=${this.pixels}
          side=${grid?.side ?? 0}
          cell-pixels=${grid?.cellPixels ?? 16}
          input-size=${grid?.inputSize ?? 0}
          resolution=${grid?.inputSize ?? 1}
          opacity=${this.opacity}
          label=${map ? `The image as the network saw it, with the heat map for ${name(map.target)}: ${where ?? 'empty'}` : ''}
        ></tl-heat-map>
      </div>
      <p role="status">${words}</p>
      <div class="row">
        <label>
          Explain the class
          <select @change=${this.#chooseClass}>
            <option value="" ?selected=${this.target === null}>predicted${prediction ? ` (${name(prediction.predicted)})` : ''}</option>
            ${this.classes.map((c, i) => html`<option value=${i} ?selected=${this.target === i}>${c}</option>`)}
          </select>
        </label>
        ${opacitySlider(this.opacity, this)}
        <button type="button" @click=${() => this.renderRoot.querySelector('dialog')!.close()}>Close</button>
      </div>
      <p class="hint">${this.about}</p>
    </dialog>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    const dialog = this.renderRoot.querySelector('dialog')!;
    if (this.open && !dialog.open) dialog.showModal();
    if (!this.open && dialog.open) dialog.close();
  }

  #chooseClass(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    const detail: ExplainClassDetail = {target: value === '' ? null : Number(value)};
    this.dispatchEvent(new CustomEvent('tl-explain-class', {detail, bubbles: true, composed: true}));
  }

  #closed(): void {
    if (this.open) this.dispatchEvent(new CustomEvent('tl-explain-close', {bubbles: true, composed: true}));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-explain-view': TlExplainView;
  }
  interface GlobalEventHandlersEventMap {
    'tl-explain-class': CustomEvent<ExplainClassDetail>;
    'tl-explain-close': CustomEvent<void>;
  }
}
