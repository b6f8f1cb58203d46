import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import type {Progress} from '../../shared/protocol.ts';

/**
 * A long job's progress: a bar, done/total, rate and time left, and a
 * Cancel button while it runs.
 *
 * @fires tl-cancel - The user asked to cancel the job.
 * @csspart bar - The progress bar.
 */
@customElement('tl-progress')
export class TlProgress extends LitElement {
  static override styles = css`
    :host { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
    progress { flex: 1 1 14rem; height: 0.9rem; }
    .numbers { font-variant-numeric: tabular-nums; color: #4a4f57; font-size: 0.9em; }
    button { font: inherit; padding: 0.2rem 0.7rem; cursor: pointer; }
  `;

  /** What is being done, e.g. "Importing". */
  @property() label = 'Working';
  /** Name of the things counted, e.g. "files". */
  @property() unit = 'items';
  @property({attribute: false}) progress: Progress | null = null;
  /** Show the Cancel button. */
  @property({type: Boolean}) cancellable = false;

  override render() {
    const p = this.progress;
    const total = p?.total ?? 0;
    return html`
      <progress part="bar" aria-label=${this.label} max=${total || 1} value=${p?.done ?? 0}></progress>
      <span class="numbers" role="status">
        ${this.label}: ${p ? html`${p.done.toLocaleString('en')} / ${total.toLocaleString('en')} ${this.unit}` : 'starting…'}
        ${p?.kind === 'import' ? html` · ${p.images.toLocaleString('en')} images` : nothing}
        ${p && p.rate > 0 ? html` · ${formatRate(p.rate)}/s` : nothing}
        ${p?.etaSeconds ? html` · ${formatSeconds(p.etaSeconds)} left` : nothing}
      </span>
      ${this.cancellable
        ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tl-cancel', {bubbles: true, composed: true}))}>Cancel</button>`
        : nothing}
    `;
  }
}

function formatRate(rate: number): string {
  return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-progress': TlProgress;
  }
  interface GlobalEventHandlersEventMap {
    'tl-cancel': CustomEvent<void>;
  }
}
