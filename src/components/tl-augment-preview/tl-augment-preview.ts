import {LitElement, css, html, nothing, type PropertyValues} from 'lit';
import {customElement, property} from 'lit/decorators.js';

/**
 * A grid of augmented versions of one image, as fine-tuning will see them.
 *
 * @fires tl-reroll - The user asked for new random transforms.
 */
@customElement('tl-augment-preview')
export class TlAugmentPreview extends LitElement {
  static override styles = css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 0.35rem; margin: 0.5rem 0; }
    canvas { width: 100%; aspect-ratio: 1; border-radius: 0.25rem; background: #e3e5e8; image-rendering: auto; }
    button { font: inherit; padding: 0.3rem 0.8rem; cursor: pointer; }
  `;

  /** RGB uint8 images of size×size, one after another. */
  @property({attribute: false}) pixels: Uint8Array | null = null;
  @property({type: Number}) size = 150;
  /** What the images show, for assistive technology. */
  @property() label = 'Augmented versions of one training image';

  override render() {
    const count = this.pixels ? this.pixels.length / (this.size * this.size * 3) : 0;
    return html`
      ${count
        ? html`<div class="grid" role="img" aria-label=${`${this.label} (${count})`}>
            ${Array.from({length: count}, () => html`<canvas width=${this.size} height=${this.size}></canvas>`)}
          </div>`
        : nothing}
      <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tl-reroll', {bubbles: true, composed: true}))}>
        ${count ? 'Roll again' : 'Preview the augmentation'}
      </button>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('pixels') || !this.pixels) return;
    const side = this.size;
    this.renderRoot.querySelectorAll('canvas').forEach((canvas, k) => {
      const rgba = new ImageData(side, side);
      const rgb = this.pixels!.subarray(k * side * side * 3, (k + 1) * side * side * 3);
      for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) rgba.data.set([rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, 255], j);
      canvas.getContext('2d')!.putImageData(rgba, 0, 0);
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-augment-preview': TlAugmentPreview;
  }
  interface GlobalEventHandlersEventMap {
    'tl-reroll': CustomEvent<void>;
  }
}
