import {LitElement, css, html, nothing, unsafeCSS, type PropertyValues} from 'lit';
import {customElement, property, query} from 'lit/decorators.js';
import uPlot from 'uplot';
import uPlotStyles from 'uplot/dist/uPlot.min.css?inline';
import {bestEpochOf, seriesFor, type CurveRun, type Metric} from '../../view-model/curves.ts';

const PALETTE = ['#2f5fd0', '#d0542f', '#2f9d5a', '#8a3fd0', '#c79a1a', '#1a9bc7'];
const METRICS: Metric[] = ['loss', 'accuracy'];

/**
 * Live training curves: loss and accuracy per epoch, training solid and
 * validation dashed, one colour per run so runs can be compared; the
 * tutorial's smoothing toggle; the best epoch and phase changes marked.
 * Drawn with uPlot; a text summary under the charts carries the same facts
 * for screen readers.
 *
 * @csspart chart - Each chart's container.
 */
@customElement('tl-curves')
export class TlCurves extends LitElement {
  static override styles = [
    unsafeCSS(uPlotStyles),
    css`
      :host { display: block; }
      .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
      .charts[hidden] { display: none; }
      h3 { font-size: 0.95rem; margin: 0 0 0.25rem; }
      label { font-size: 0.9em; display: inline-flex; gap: 0.35rem; align-items: center; margin-bottom: 0.5rem; }
      .summary { font-size: 0.85em; color: #4a4f57; margin: 0.5rem 0 0; padding-left: 1.1rem; }
      .empty { color: #4a4f57; }
      /* The legend names the series; values under the cursor would only repeat the text summary. */
      .u-legend { font-size: 0.8rem; text-align: left; }
      .u-legend th { font-weight: 500; }
    `,
  ];

  /** Runs to draw; the last one may still be growing. */
  @property({attribute: false}) runs: CurveRun[] = [];
  /** Exponential smoothing (factor 0.8), as in the tutorial's plots. */
  @property({type: Boolean, reflect: true}) smoothing = false;

  @query('.charts') private chartsElement!: HTMLElement;
  /** Each chart, with the run ids it was built for (new runs rebuild it; new epochs just update). */
  #plots = new Map<Metric, {plot: uPlot; runIds: string}>();
  // Resized in the next frame, not inside the observer: resizing the charts there changes the layout it
  // observes ("ResizeObserver loop completed with undelivered notifications" when a scrollbar comes and goes).
  #resize = new ResizeObserver(() => requestAnimationFrame(() => this.#fit()));

  /** The data each chart shows now (for tests and for anyone wrapping the element). */
  chartData(metric: Metric): uPlot.AlignedData | undefined {
    return this.#plots.get(metric)?.plot.data;
  }

  /** The vertical marks drawn on both charts: each run's best epoch, and its phase changes. */
  marks(): Array<{run: string; best?: number; phaseChanges: number[]}> {
    return this.runs.map((run) => ({run: run.id, best: bestEpochOf(run), phaseChanges: run.phaseChanges ?? []}));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.requestUpdate(); // moved in the DOM: the charts were destroyed, build them again
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
    for (const {plot} of this.#plots.values()) plot.destroy();
    this.#plots.clear();
  }

  override render() {
    const hasData = this.runs.some((r) => r.history.length > 0);
    return html`
      <label><input type="checkbox" .checked=${this.smoothing} @change=${(e: Event) => (this.smoothing = (e.target as HTMLInputElement).checked)} />Smooth curves (factor 0.8)</label>
      ${hasData ? nothing : html`<p class="empty">Curves appear here as epochs finish.</p>`}
      <div class="charts" ?hidden=${!hasData}>
        ${METRICS.map((m) => html`<div><h3>${m === 'loss' ? 'Loss' : 'Accuracy'}</h3><div part="chart" data-metric=${m}></div></div>`)}
      </div>
      ${hasData
        ? html`<ul class="summary" aria-label="Runs">
            ${this.runs.map((run) => {
              const last = run.history.at(-1);
              const bestEpoch = bestEpochOf(run);
              const best = bestEpoch ? run.history[bestEpoch - 1] : undefined;
              return last
                ? html`<li>
                    ${run.label}: ${run.history.length} epoch(s), last validation accuracy ${percent(last.valAccuracy)} (loss ${last.valLoss.toFixed(3)})${best
                      ? html`; best epoch ${bestEpoch}: validation accuracy ${percent(best.valAccuracy)}, loss ${best.valLoss.toFixed(3)}`
                      : nothing}
                  </li>`
                : nothing;
            })}
          </ul>`
        : nothing}
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('runs') && !changed.has('smoothing') && this.#plots.size > 0) return;
    const runIds = this.runs.map((r) => r.id).join('|');
    for (const metric of METRICS) {
      const {epochs, series} = seriesFor(this.runs, metric, this.smoothing);
      const data: uPlot.AlignedData = [epochs, ...series.map((s) => s.values)];
      const existing = this.#plots.get(metric);
      if (existing?.runIds === runIds) {
        existing.plot.setData(data);
        continue;
      }
      existing?.plot.destroy();
      const target = this.renderRoot.querySelector<HTMLElement>(`[data-metric=${metric}]`)!;
      this.#plots.set(metric, {plot: new uPlot(this.#options(metric, series), data, target), runIds});
    }
    this.#resize.observe(this.chartsElement);
  }

  #options(metric: Metric, series: ReturnType<typeof seriesFor>['series']): uPlot.Options {
    return {
      width: this.#chartWidth(),
      height: 220,
      scales: {x: {time: false}, y: metric === 'accuracy' ? {range: [0, 1]} : {}},
      axes: [{label: 'epoch'}, {label: metric}],
      // Not live: per-series values under the cursor stack into a tall column on a phone.
      legend: {live: false},
      series: [
        {label: 'epoch'},
        ...series.map((s) => ({
          label: s.label,
          stroke: PALETTE[s.runIndex % PALETTE.length],
          width: 2,
          dash: s.validation ? [6, 4] : [],
          spanGaps: false,
          points: {show: false},
        })),
      ],
      hooks: {draw: [(plot) => this.#drawMarks(plot)]},
    };
  }

  /** Vertical lines: solid grey at phase changes, dotted in the run's colour at its best epoch. */
  #drawMarks(plot: uPlot): void {
    const {ctx, bbox} = plot;
    const line = (epoch: number, colour: string, dash: number[]) => {
      const x = plot.valToPos(epoch, 'x', true);
      if (!(x >= bbox.left && x <= bbox.left + bbox.width)) return;
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.setLineDash(dash);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.restore();
    };
    this.marks().forEach(({best, phaseChanges}, i) => {
      for (const change of phaseChanges) line(change + 0.5, '#6b7280', []);
      if (best) line(best, PALETTE[i % PALETTE.length]!, [2, 3]);
    });
  }

  #chartWidth(): number {
    const width = this.chartsElement?.clientWidth ?? 0;
    const columns = width >= 36 * 16 + 16 ? 2 : 1;
    return Math.max(240, Math.floor((width - (columns - 1) * 16) / columns));
  }

  #fit(): void {
    for (const {plot} of this.#plots.values()) plot.setSize({width: this.#chartWidth(), height: 220});
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

declare global {
  interface HTMLElementTagNameMap {
    'tl-curves': TlCurves;
  }
}
