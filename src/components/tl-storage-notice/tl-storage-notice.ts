import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {theme} from '../../styles/theme.ts';

/**
 * Says, once per lab, that nothing will outlive the page, and why (the
 * browser's own words): a frame that may not use storage still runs every step.
 *
 * @csspart notice - The message.
 */
@customElement('tl-storage-notice')
export class TlStorageNotice extends LitElement {
  static override styles = [
    theme,
    css`
      :host { display: block; }
      p {
        margin: 0 0 var(--_space); padding: calc(var(--_space) * 0.6) calc(var(--_space) * 0.9);
        border: 1px solid var(--_warning); border-radius: var(--_radius); color: var(--_warning); background: var(--_surface);
      }
    `,
  ];

  /** Why nothing is kept; nothing renders while it is null. */
  @property({attribute: false}) reason: string | null = null;

  override render() {
    if (!this.reason) return nothing;
    return html`<p part="notice" role="status">
      <strong>Nothing will be kept after you leave this page.</strong> This page may not use the browser's storage here
      (${this.reason}) — usual in a course site's embedded frame. Every step still works, from memory: download what you want to keep.
    </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-storage-notice': TlStorageNotice;
  }
}
