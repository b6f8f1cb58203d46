import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import type {Progress} from '../../shared/protocol/index.ts';
import {theme} from '../../styles/theme.ts';
import {progressText} from '../../view-model/progress-text.ts';

/**
 * A long job's progress: a bar, where it is (files, images, bytes, epoch
 * and batch), its rate, the time left and, while fine-tuning, the running
 * loss and accuracy; a Cancel button while it runs.
 *
 * @fires tl-cancel - The user asked to cancel the job.
 * @csspart bar - The progress bar.
 * @csspart text - Where the job is, and its figures.
 */
@customElement('tl-progress')
export class TlProgress extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; }
      progress { flex: 1 1 14rem; height: 0.9rem; accent-color: var(--_accent); }
      .numbers { font-variant-numeric: tabular-nums; color: var(--_muted); font-size: 0.9em; }
      button { font: inherit; padding: 0.2rem 0.7rem; cursor: pointer; border-radius: calc(var(--_radius) * 0.6); border: 1px solid var(--_accent); background: var(--_surface); color: var(--_accent); }
    `,
  ];

  /** What is being done, e.g. "Importing". */
  @property() label = 'Working';
  @property({attribute: false}) progress: Progress | null = null;
  /** Show the Cancel button. */
  @property({type: Boolean}) cancellable = false;

  override render() {
    const p = this.progress;
    const text = p ? progressText(p) : null;
    return html`
      <progress part="bar" aria-label=${this.label} max=${p?.total || 1} value=${p?.done ?? 0}></progress>
      <span class="numbers" part="text" role="status">
        ${this.label}: ${text ? text.position : 'starting…'}${text?.figures.length ? html` · ${text.figures.join(' · ')}` : nothing}
      </span>
      ${this.cancellable
        ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tl-cancel', {bubbles: true, composed: true}))}>Cancel</button>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-progress': TlProgress;
  }
  interface GlobalEventHandlersEventMap {
    'tl-cancel': CustomEvent<void>;
  }
}
