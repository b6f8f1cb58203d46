import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';

/** Detail of `tl-confusion-select`: a cell, or null to clear the selection. */
export type ConfusionCell = {truth: number; predicted: number} | null;

/**
 * A confusion matrix: rows are true classes, columns predicted ones, the
 * diagonal is right. Cells shade with their share of the row; each is a
 * button that selects those images.
 *
 * @fires tl-confusion-select - A cell was chosen, or chosen again to clear (detail: ConfusionCell).
 */
@customElement('tl-confusion')
export class TlConfusion extends LitElement {
  static override styles = css`
    :host { display: block; overflow-x: auto; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 0; border: 1px solid #e3e5e8; text-align: center; }
    th { padding: 0.25rem 0.5rem; font-weight: 600; font-size: 0.85em; }
    th[scope='row'] { text-align: right; }
    .corner { font-weight: 400; color: #4a4f57; }
    button { font: inherit; width: 100%; min-width: 3.5rem; padding: 0.45rem 0.5rem; border: 2px solid transparent; cursor: pointer; background: transparent; }
    button[aria-pressed='true'] { border-color: #1c1e21; }
    button:focus-visible { outline: 2px solid #2f5fd0; outline-offset: -2px; }
  `;

  @property({attribute: false}) matrix: number[][] = [];
  @property({attribute: false}) classes: string[] = [];
  @property({attribute: false}) selected: ConfusionCell = null;

  override render() {
    if (this.matrix.length === 0) return nothing;
    return html`<table aria-label="Confusion matrix: rows are true classes, columns predicted classes">
      <thead>
        <tr>
          <th class="corner" scope="col">true ↓ · predicted →</th>
          ${this.classes.map((name) => html`<th scope="col">${name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${this.matrix.map((row, truth) => {
          const total = row.reduce((a, b) => a + b, 0);
          return html`<tr>
            <th scope="row">${this.classes[truth]}</th>
            ${row.map((count, predicted) => {
              const share = total > 0 ? count / total : 0;
              const right = truth === predicted;
              const colour = right ? `rgba(47, 157, 90, ${0.12 + 0.6 * share})` : `rgba(208, 84, 47, ${count ? 0.12 + 0.6 * share : 0})`;
              const pressed = this.selected?.truth === truth && this.selected.predicted === predicted;
              return html`<td style="background: ${colour}">
                <button
                  type="button"
                  aria-pressed=${pressed ? 'true' : 'false'}
                  aria-label=${`${count} ${this.classes[truth]} image(s) predicted as ${this.classes[predicted]}`}
                  @click=${() => this.#select(pressed ? null : {truth, predicted})}
                >${count}</button>
              </td>`;
            })}
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  #select(cell: ConfusionCell): void {
    this.selected = cell;
    this.dispatchEvent(new CustomEvent('tl-confusion-select', {detail: cell, bubbles: true, composed: true}));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-confusion': TlConfusion;
  }
  interface GlobalEventHandlersEventMap {
    'tl-confusion-select': CustomEvent<ConfusionCell>;
  }
}
