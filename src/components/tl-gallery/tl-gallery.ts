import {LitElement, css, html, nothing, type PropertyValues} from 'lit';
import {customElement, property, state} from 'lit/decorators.js';
import {SPLITS, type DatasetImage, type ImagePrediction, type Split} from '../../shared/protocol/index.ts';
import {theme} from '../../styles/theme.ts';
import {describeHeatMap, type HeatMapGrid} from '../../view-model/heat-map.ts';
import {ObjectUrls} from '../object-urls.ts';
import type {ConfusionCell} from '../tl-confusion/tl-confusion.ts';
import '../tl-heat-map/tl-heat-map.ts';

const CELL = 120; // px: a 96 px thumbnail, its caption and the gap
const OVERSCAN_ROWS = 2;

/** Heat maps over the thumbnails (prediction mode): Grad-CAM's, for each image's predicted class. */
export interface GalleryHeat {
  /** Maps by image (manifest index) and the class each explains; one not there yet is still being made. */
  maps: ReadonlyMap<number, {values: ArrayLike<number>; target: number}>;
  /** Where every map's grid sits on the network's input; null until the first map is made. */
  grid: Omit<HeatMapGrid, 'values'> | null;
  /** 0 to 1. */
  opacity: number;
}

export interface GalleryShownDetail {
  /** The images rendered now (those in view and a little around), in display order. */
  images: number[];
}

export interface GalleryOpenDetail {
  image: number;
}

/**
 * The tutorial's `plot_gallery`: images with their labels, filterable by
 * split and class. Only the rows in view are in the DOM, so thousands of
 * images scroll smoothly; thumbnails get object URLs when first shown.
 *
 * Given predictions, it shows those images instead, captioned
 * "predicted (true) probability", mistakes first (the most confident
 * mistakes leading), optionally only one confusion-matrix cell. Given
 * `heat` too, it draws each image's heat map over its thumbnail, says in
 * its text alternative where the map is hot, tells which images it has
 * rendered (so their maps can be made, in its order), and opens an image
 * when it is clicked.
 *
 * @fires tl-gallery-shown - With `heat`: the images rendered changed (detail: {images}, in display order).
 * @fires tl-gallery-open - With `heat`: an image was clicked (detail: {image}).
 * @csspart grid - The scrolling grid.
 * @csspart item - One image with its caption.
 * @csspart heat-map - A thumbnail's heat map.
 */
@customElement('tl-gallery')
export class TlGallery extends LitElement {
  static override styles = [theme, css`
    :host { display: block; }
    .filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; font-size: 0.9em; }
    select { font: inherit; margin-left: 0.25rem; }
    .count { color: #4a4f57; }
    .grid { position: relative; height: var(--tl-gallery-height, 26rem); overflow-y: auto; border: 1px solid #e3e5e8; border-radius: 0.375rem; background: #fafbfc; }
    ul { position: relative; margin: 0; padding: 0; list-style: none; }
    li { position: absolute; width: ${CELL - 8}px; display: flex; flex-direction: column; align-items: center; }
    img { width: 96px; height: 96px; border-radius: 0.25rem; background: #e3e5e8; }
    li.wrong img { outline: 3px solid #d0542f; outline-offset: -3px; }
    li.wrong .caption { color: #a1170b; font-weight: 600; }
    .caption { font-size: 0.75rem; width: 100%; text-align: center; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .empty { padding: 1rem; color: #4a4f57; }
    .thumb { position: relative; width: 96px; height: 96px; padding: 0; border: 0; background: none; border-radius: 0.25rem; cursor: zoom-in; font: inherit; color: inherit; }
    .thumb:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
    .thumb tl-heat-map { position: absolute; inset: 0; border-radius: 0.25rem; overflow: hidden; pointer-events: none; }
    .pending { position: absolute; right: 4px; bottom: 4px; padding: 0 0.3rem; border-radius: var(--_radius); background: var(--_surface); color: var(--_muted); font-size: 0.7rem; }
  `];

  @property({attribute: false}) images: readonly DatasetImage[] = [];
  @property({attribute: false}) classes: readonly string[] = [];
  /** Shown split, or '' for all. */
  @property() split: Split | '' = '';
  /** Shown class label, or -1 for all (in prediction mode: the true class). */
  @property({type: Number}) label = -1;
  /** Prediction mode: the evaluated images and what the model said. */
  @property({attribute: false}) predictions: ImagePrediction[] | null = null;
  /** In prediction mode, only this confusion-matrix cell. */
  @property({attribute: false}) cell: ConfusionCell = null;
  /** In prediction mode, heat maps over the thumbnails (null: none). */
  @property({attribute: false}) heat: GalleryHeat | null = null;

  @state() private gridScrollTop = 0;
  @state() private gridWidth = 0;

  readonly #urls = new ObjectUrls();
  /** The images the last render drew, and the list last announced. */
  #rendered: number[] = [];
  #announced = '';
  #resize = new ResizeObserver(([entry]) => (this.gridWidth = entry!.contentRect.width));

  /** The images that pass the filters, by index into `images`, in display order. */
  get visibleIndices(): number[] {
    if (this.predictions) {
      const cell = this.cell;
      return this.#byMistakes()
        .filter((p) => (this.label < 0 || p.truth === this.label) && (!cell || (p.truth === cell.truth && p.predicted === cell.predicted)))
        .map((p) => p.image)
        .filter((image) => image < this.images.length); // predictions about another dataset are not drawn
    }
    const out: number[] = [];
    this.images.forEach((image, i) => {
      if ((this.split === '' || image.split === this.split) && (this.label < 0 || image.label === this.label)) out.push(i);
    });
    return out;
  }

  #sorted: {from: ImagePrediction[]; sorted: ImagePrediction[]; byImage: Map<number, ImagePrediction>} | null = null;

  /** Predictions with mistakes first, the most confident mistakes leading; memoised per predictions array. */
  #byMistakes(): ImagePrediction[] {
    if (this.#sorted?.from !== this.predictions) {
      const sorted = [...(this.predictions ?? [])].sort(
        (a, b) => Number(a.truth === a.predicted) - Number(b.truth === b.predicted) || b.probability - a.probability,
      );
      this.#sorted = {from: this.predictions ?? [], sorted, byImage: new Map(sorted.map((p) => [p.image, p]))};
    }
    return this.#sorted.sorted;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the DOM: observe again (the first time, firstUpdated does it once the grid exists).
    if (this.hasUpdated) this.#observe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
    this.#urls.revokeAll();
    this.requestUpdate(); // thumbnails need new URLs if it comes back
  }

  protected override firstUpdated(): void {
    this.#observe();
  }

  #observe(): void {
    // The observer reports the grid's size once right away, after layout and before paint,
    // so the first frame already has its columns.
    this.#resize.observe(this.renderRoot.querySelector<HTMLElement>('.grid')!);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('images')) this.#urls.revokeAll();
    // A new dataset may not have the class that was picked.
    if (changed.has('classes') && this.label >= this.classes.length) this.label = -1;
    if (changed.has('images') || changed.has('split') || changed.has('label') || changed.has('predictions') || changed.has('cell')) {
      this.gridScrollTop = 0;
      const grid = this.renderRoot.querySelector('.grid');
      if (grid) grid.scrollTop = 0;
    }
  }

  override render() {
    const indices = this.visibleIndices;
    const columns = Math.max(1, Math.floor(this.gridWidth / CELL));
    const rows = Math.ceil(indices.length / columns);
    const viewRows = Math.ceil((this.renderRoot.querySelector('.grid')?.clientHeight ?? 420) / CELL);
    const firstRow = Math.max(0, Math.floor(this.gridScrollTop / CELL) - OVERSCAN_ROWS);
    const lastRow = Math.min(rows, firstRow + viewRows + 2 * OVERSCAN_ROWS);
    const shown = indices.slice(firstRow * columns, lastRow * columns);
    this.#rendered = shown;
    const heat = this.predictions ? this.heat : null;
    return html`
      <div class="filters">
        ${this.predictions
          ? nothing
          : html`<label>Split
              <select @change=${(e: Event) => (this.split = (e.target as HTMLSelectElement).value as Split | '')}>
                <option value="" ?selected=${this.split === ''}>all</option>
                ${SPLITS.map((s) => html`<option value=${s} ?selected=${this.split === s}>${s}</option>`)}
              </select>
            </label>`}
        <label>${this.predictions ? 'True class' : 'Class'}
          <select @change=${(e: Event) => (this.label = Number((e.target as HTMLSelectElement).value))}>
            <option value="-1" ?selected=${this.label < 0}>all</option>
            ${this.classes.map((name, i) => html`<option value=${i} ?selected=${this.label === i}>${name}</option>`)}
          </select>
        </label>
        <span class="count" role="status">${indices.length.toLocaleString('en')} image(s)</span>
      </div>
      <div class="grid" part="grid" tabindex="0" aria-label="Images" @scroll=${this.#onScroll}>
        ${indices.length === 0 ? html`<p class="empty">No images match.</p>` : nothing}
        <ul style="height: ${rows * CELL}px">
          ${shown.map((index, k) => {
            const image = this.images[index]!;
            const position = firstRow * columns + k;
            const name = this.classes[image.label] ?? String(image.label);
            const prediction = this.predictions ? this.#sorted?.byImage.get(index) : undefined;
            const caption = prediction
              ? `${this.classes[prediction.predicted]} (${name}) ${Math.round(prediction.probability * 100)}%`
              : name;
            const wrong = prediction !== undefined && prediction.predicted !== prediction.truth;
            // Only some items exist at a time: posinset/setsize tell assistive tech where each sits.
            return html`<li
              part="item"
              aria-posinset=${position + 1}
              aria-setsize=${indices.length}
              style="top: ${Math.floor(position / columns) * CELL + 4}px; left: ${(position % columns) * CELL + 4}px"
              class=${wrong ? 'wrong' : ''}
              title=${prediction ? `${caption} — ${image.path}` : image.path}
            >
              ${heat && prediction
                ? this.#withHeat(heat, index, image, caption)
                : html`<img src=${this.#urls.for(image.thumbnail)} alt=${`${caption}: ${image.path}`} loading="lazy" decoding="async" />`}
              <span class="caption">${caption}</span>
            </li>`;
          })}
        </ul>
      </div>
    `;
  }

  /** A thumbnail as a button that opens it, its map over it (or a mark while the map is made). */
  #withHeat(heat: GalleryHeat, index: number, image: DatasetImage, caption: string) {
    const map = heat.maps.get(index);
    const grid = heat.grid;
    const where = map && grid ? describeHeatMap({values: map.values, side: grid.side}) : null;
    const explained = map ? (this.classes[map.target] ?? String(map.target)) : '';
    return html`<button type="button" class="thumb" @click=${() => this.#open(index)}>
      <img src=${this.#urls.for(image.thumbnail)} alt=${`${caption}: ${image.path}`} loading="lazy" decoding="async" />
      ${map && grid
        ? html`<tl-heat-map
            part="heat-map"
            .values=${map.values}
            side=${grid.side}
            cell-pixels=${grid.cellPixels}
            input-size=${grid.inputSize}
            crop-width=${image.width}
            crop-height=${image.height}
            opacity=${heat.opacity}
            label=${`Heat map for ${explained}: ${where ?? `no region raises the score of ${explained}`}`}
          ></tl-heat-map>`
        : html`<span class="pending">map…</span>`}
    </button>`;
  }

  protected override updated(): void {
    if (!this.predictions || !this.heat) {
      this.#announced = '';
      return;
    }
    const key = this.#rendered.join();
    if (key === this.#announced) return;
    this.#announced = key;
    this.dispatchEvent(new CustomEvent<GalleryShownDetail>('tl-gallery-shown', {detail: {images: [...this.#rendered]}, bubbles: true, composed: true}));
  }

  #open(image: number): void {
    this.dispatchEvent(new CustomEvent<GalleryOpenDetail>('tl-gallery-open', {detail: {image}, bubbles: true, composed: true}));
  }

  #onScroll(event: Event): void {
    this.gridScrollTop = (event.target as HTMLElement).scrollTop;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-gallery': TlGallery;
  }
  interface GlobalEventHandlersEventMap {
    'tl-gallery-shown': CustomEvent<GalleryShownDetail>;
    'tl-gallery-open': CustomEvent<GalleryOpenDetail>;
  }
}
