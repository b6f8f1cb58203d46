import {LitElement, css, html, type PropertyValues} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {ifDefined} from 'lit/directives/if-defined.js';
import {WHOLE_INPUT, paintHeatMap, sampleHeatMap, thumbnailWindow} from '../../view-model/heat-map.ts';

/**
 * A Grad-CAM map drawn over an image: sampled onto a canvas (bilinear
 * between block5_conv3's cells), coloured from dark blue (0) to dark red
 * (1), at `opacity` so the image shows through. With `pixels` it draws the network's input under it, pixel for pixel;
 * without, it is transparent and sits over what is beneath it (a gallery
 * thumbnail: give `cropWidth` and `cropHeight`, the image's own size, and
 * only the thumbnail's centre square of the map is drawn). It fills its
 * box: the host sets its size.
 *
 * @csspart canvas - The map's canvas.
 */
@customElement('tl-heat-map')
export class TlHeatMap extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; }
    canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
    /* The network's pixels as they are; the map between its cells is smooth already. */
    canvas.image { image-rendering: pixelated; }
  `;

  /** side×side values in [0, 1], row-major (a GradCamMap's). */
  @property({attribute: false}) values: ArrayLike<number> | null = null;
  @property({type: Number}) side = 0;
  /** Input pixels per cell (16 for VGG16's block5). */
  @property({type: Number, attribute: 'cell-pixels'}) cellPixels = 16;
  /** The network's input side in pixels. */
  @property({type: Number, attribute: 'input-size'}) inputSize = 0;
  /** The image's own size, to draw only what its centre-cropped thumbnail shows (0: the whole input). */
  @property({type: Number, attribute: 'crop-width'}) cropWidth = 0;
  @property({type: Number, attribute: 'crop-height'}) cropHeight = 0;
  /** Canvas pixels per side. */
  @property({type: Number}) resolution = 96;
  @property({type: Number}) opacity = 0.5;
  /** The network's input under the map: RGB, inputSize × inputSize. */
  @property({attribute: false}) pixels: Uint8Array | null = null;
  /** The text alternative (where the map is hot, in words); without one the map is left out of the accessibility tree. */
  @property() label = '';

  override render() {
    return html`<div role=${ifDefined(this.label ? 'img' : undefined)} aria-label=${ifDefined(this.label || undefined)} aria-hidden=${ifDefined(this.label ? undefined : 'true')}>
      ${this.pixels ? html`<canvas class="image" width=${this.inputSize} height=${this.inputSize}></canvas>` : ''}
      <canvas class="heat" part="canvas" width=${this.resolution} height=${this.resolution} style="opacity: ${this.opacity}"></canvas>
    </div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('pixels') || changed.has('inputSize')) this.#drawPixels();
    const map = ['values', 'side', 'cellPixels', 'inputSize', 'cropWidth', 'cropHeight', 'resolution'] as const;
    if (map.some((name) => changed.has(name))) this.#drawMap();
  }

  #drawPixels(): void {
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.image');
    const size = this.inputSize;
    if (!canvas || !this.pixels || this.pixels.length !== size * size * 3) return;
    const rgba = new ImageData(size, size);
    for (let i = 0; i < size * size; i++) rgba.data.set([this.pixels[i * 3]!, this.pixels[i * 3 + 1]!, this.pixels[i * 3 + 2]!, 255], i * 4);
    canvas.getContext('2d')!.putImageData(rgba, 0, 0);
  }

  #drawMap(): void {
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.heat')!;
    const context = canvas.getContext('2d')!;
    const {values, side, resolution} = this;
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (!values || side < 1 || this.inputSize < 1 || values.length !== side * side) return;
    const window = this.cropWidth > 0 && this.cropHeight > 0 ? thumbnailWindow(this.cropWidth, this.cropHeight) : WHOLE_INPUT;
    const sampled = sampleHeatMap({values, side, cellPixels: this.cellPixels, inputSize: this.inputSize}, resolution, resolution, window);
    context.putImageData(new ImageData(paintHeatMap(sampled), resolution, resolution), 0, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-heat-map': TlHeatMap;
  }
}
