import {LitElement, css, html, nothing} from 'lit';
import {customElement, property, state} from 'lit/decorators.js';
import type {DatasetManifest, EvaluationResult} from '../../shared/protocol/index.ts';
import {theme} from '../../styles/theme.ts';
import {predictionsCsv} from '../../view-model/predictions-csv.ts';
import {downloadBlob} from '../download.ts';
import type {ConfusionCell} from '../tl-confusion/tl-confusion.ts';
import type {GalleryHeat} from '../tl-gallery/tl-gallery.ts';
import {opacitySlider} from '../tl-heat-map/opacity-slider.ts';
import '../tl-confusion/tl-confusion.ts';
import '../tl-gallery/tl-gallery.ts';

/** "Show where it looks" as the results show it: the toggle's state and the maps made so far. */
export interface ResultsHeat extends GalleryHeat {
  shown: boolean;
  /** Why maps cannot be made now ('' when they can): shown next to the toggle. */
  blocked: string;
  /** Which model, layer and backend make the maps, in words. */
  about: string;
}

export interface HeatToggleDetail {
  shown: boolean;
}

export interface HeatOpacityDetail {
  opacity: number;
}

/**
 * An evaluation: loss and accuracy, per-class precision/recall/F1, the
 * confusion matrix (a cell click shows those images), the per-image CSV,
 * and the gallery of predictions with the mistakes first. Given `heat`,
 * a toggle "Show where it looks" and an opacity control for the gallery's
 * Grad-CAM maps.
 *
 * @fires tl-heat-toggle - The toggle was flipped (detail: {shown}).
 * @fires tl-heat-opacity - The opacity was changed (detail: {opacity}, 0 to 1).
 */
@customElement('tl-results')
export class TlResults extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .headline { font-size: 1.05rem; margin: 0 0 0.5rem; }
    .grid { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: start; margin-bottom: 0.75rem; }
    /* A long class name must not push the page wider than a phone: the table scrolls instead. */
    .table-scroll { max-width: 100%; overflow-x: auto; }
    table.metrics { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    table.metrics th, table.metrics td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e3e5e8; text-align: right; }
    table.metrics th[scope='row'] { text-align: left; }
    button { font: inherit; padding: 0.3rem 0.8rem; cursor: pointer; }
    .hint { color: #4a4f57; font-size: 0.9em; }
    .heat { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; margin: 0.5rem 0; font-size: 0.9em; }
    .heat label { display: inline-flex; align-items: center; gap: 0.4rem; }
    .heat input[type='range'] { accent-color: var(--_accent); }
    .heat .about { color: var(--_muted); }
  `];

  @property({attribute: false}) result: EvaluationResult | null = null;
  @property({attribute: false}) manifest: DatasetManifest | null = null;
  /** "Show where it looks" (null: not offered). */
  @property({attribute: false}) heat: ResultsHeat | null = null;
  @state() private cell: ConfusionCell = null;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('result')) this.cell = null; // a new evaluation starts unfiltered
  }

  override render() {
    const r = this.result;
    if (!r || !this.manifest) return nothing;
    const mistakes = r.predictions.filter((p) => p.truth !== p.predicted).length;
    return html`
      <p class="headline" role="status">
        ${r.model === 'head' ? 'Head only' : 'Fine-tuned'}, ${r.split} split: accuracy <strong>${(r.accuracy * 100).toFixed(1)}%</strong>
        (${r.predictions.length - mistakes} of ${r.predictions.length}), loss ${r.loss.toFixed(3)}.
      </p>
      <div class="grid">
        <div class="table-scroll"><table class="metrics" aria-label="Per-class metrics">
          <thead><tr><th scope="col">class</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">F1</th><th scope="col">images</th></tr></thead>
          <tbody>
            ${r.perClass.map(
              (m, c) => html`<tr>
                <th scope="row">${r.classes[c]}</th>
                <td>${m.precision.toFixed(3)}</td><td>${m.recall.toFixed(3)}</td><td>${m.f1.toFixed(3)}</td><td>${m.support}</td>
              </tr>`,
            )}
          </tbody>
        </table></div>
        <tl-confusion .matrix=${r.confusion} .classes=${r.classes} .selected=${this.cell} @tl-confusion-select=${(e: CustomEvent<ConfusionCell>) => (this.cell = e.detail)}></tl-confusion>
      </div>
      <p class="hint">
        ${this.cell
          ? html`Showing ${r.classes[this.cell.truth]} images predicted as ${r.classes[this.cell.predicted]}.
              <button type="button" @click=${() => (this.cell = null)}>Show all</button>`
          : `${mistakes} mistake(s) shown first. Click a cell of the matrix to see its images.`}
        <button type="button" @click=${this.#download}>Download per-image CSV</button>
      </p>
      ${this.#heatControls()}
      <tl-gallery
        .images=${this.manifest.images}
        .classes=${r.classes}
        .predictions=${r.predictions}
        .cell=${this.cell}
        .heat=${this.heat?.shown ? this.heat : null}
      ></tl-gallery>
    `;
  }

  #heatControls() {
    const heat = this.heat;
    if (!heat) return nothing;
    const note = heat.blocked || heat.about;
    return html`<div class="heat">
      <label>
        <input
          type="checkbox"
          .checked=${heat.shown}
          ?disabled=${Boolean(heat.blocked) && !heat.shown}
          aria-describedby="heat-about"
          @change=${this.#toggle}
        />
        Show where it looks
      </label>
      ${heat.shown
        ? opacitySlider(heat.opacity, this)
        : nothing}
      <span class="about" id="heat-about">${note}</span>
    </div>`;
  }

  #toggle(event: Event): void {
    const detail: HeatToggleDetail = {shown: (event.target as HTMLInputElement).checked};
    this.dispatchEvent(new CustomEvent('tl-heat-toggle', {detail, bubbles: true, composed: true}));
  }

  #download(): void {
    downloadBlob(new Blob([predictionsCsv(this.result!, this.manifest!)], {type: 'text/csv'}), `predictions-${this.result!.model}-${this.result!.split}.csv`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-results': TlResults;
  }
  interface GlobalEventHandlersEventMap {
    'tl-heat-toggle': CustomEvent<HeatToggleDetail>;
    'tl-heat-opacity': CustomEvent<HeatOpacityDetail>;
  }
}
