import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {SPLITS, type DatasetManifest} from '../../shared/protocol/index.ts';

const SKIP_LABEL = {
  empty: 'empty file',
  undecodable: 'not readable',
  truncated: 'cut short',
  'too-large': 'too large',
  'unsupported-format': 'unsupported format',
} as const;

/**
 * The imported dataset at a glance: images per split and class, what was
 * skipped and why, and what deserves attention (imbalance, an image in two
 * splits). File names are rendered as text, never as HTML.
 *
 * @csspart table - The counts table.
 */
@customElement('tl-dataset-summary')
export class TlDatasetSummary extends LitElement {
  static override styles = css`
    :host { display: block; container-type: inline-size; }
    /* Many classes or long names: the table scrolls inside its card, never the page. */
    .counts { overflow-x: auto; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.5rem 0; }
    .title { font-weight: 600; margin: 0; overflow-wrap: anywhere; }
    th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #e3e5e8; text-align: right; }
    th[scope='row'], thead th:first-child { text-align: left; }
    @container (max-width: 30rem) { th, td { padding: 0.25rem 0.4rem; } }
    tfoot td, tfoot th { font-weight: 600; border-bottom: none; }
    ul { margin: 0.25rem 0; padding-left: 1.25rem; }
    .warnings li { color: #8a4b00; }
    .meta { color: #4a4f57; font-size: 0.9em; margin: 0.25rem 0; }
    details { margin-top: 0.5rem; }
    summary { cursor: pointer; }
    .path { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
  `;

  @property({attribute: false}) manifest: DatasetManifest | null = null;

  override render() {
    const m = this.manifest;
    if (!m) return nothing;
    const total = (split: (typeof SPLITS)[number]) => m.counts[split].reduce((a, b) => a + b, 0);
    return html`
      <p class="title" id="title">${m.name}: ${m.images.length.toLocaleString('en')} images in ${m.classes.length} classes</p>
      <div class="counts"><table part="table" aria-labelledby="title">
        <thead>
          <tr><th scope="col">Class</th>${SPLITS.map((s) => html`<th scope="col">${s}</th>`)}<th scope="col">total</th></tr>
        </thead>
        <tbody>
          ${m.classes.map(
            (name, label) => html`<tr>
              <th scope="row">${name}</th>
              ${SPLITS.map((s) => html`<td>${m.counts[s][label]}</td>`)}
              <td>${SPLITS.reduce((sum, s) => sum + m.counts[s][label]!, 0)}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr><th scope="row">all</th>${SPLITS.map((s) => html`<td>${total(s)}</td>`)}<td>${m.images.length}</td></tr>
        </tfoot>
      </table></div>
      <p class="meta">
        ${m.layout === 'splits'
          ? 'Splits from the zip’s own train/validation/test folders.'
          : `Split here, per class (seed ${m.split?.seed}): ${describeFractions(m)}.`}
        ${m.ignored.count ? ` ${m.ignored.count} other file(s) ignored (system files, non-images).` : nothing}
        ${m.stored ? ' Kept in this browser for your next visit.' : nothing}
      </p>
      ${m.storeProblem ? html`<p class="meta" role="alert">${m.storeProblem}</p>` : nothing}
      ${m.warnings.length
        ? html`<ul class="warnings" aria-label="Warnings">${m.warnings.map((w) => html`<li>${w.message}</li>`)}</ul>`
        : nothing}
      ${m.skipped.length
        ? html`<details>
            <summary>${m.skipped.length} skipped file(s)</summary>
            <ul>
              ${m.skipped.map((s) => html`<li><span class="path">${s.path}</span> — ${SKIP_LABEL[s.reason]}: ${s.message}</li>`)}
            </ul>
          </details>`
        : nothing}
    `;
  }
}

function describeFractions(m: DatasetManifest): string {
  const f = m.split?.fractions;
  if (!f) return '';
  const sum = f.train + f.validation + f.test;
  return SPLITS.map((s) => `${Math.round((f[s] / sum) * 100)}% ${s}`).join(', ');
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-dataset-summary': TlDatasetSummary;
  }
}
