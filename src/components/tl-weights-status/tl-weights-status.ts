import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {formatBytes} from '../../shared/format.ts';
import {VGG16_WIDTHS, type WeightsInfo} from '../../shared/protocol/index.ts';

const ORIGIN_TEXT: Record<WeightsInfo['origin'], string> = {
  network: 'downloaded now',
  indexeddb: 'from this browser’s IndexedDB (no download)',
  generated: 'generated in the worker',
  file: 'read from the file you gave',
};

function describeNetwork(widths: number[]): string {
  const text = widths.join('-');
  const vgg16 = VGG16_WIDTHS.join('-');
  return text === vgg16
    ? `VGG16 conv base (filters per block ${text})`
    : `Narrow VGG16 layout: same 13 layers and names, filters per block ${text} (VGG16: ${vgg16})`;
}

/**
 * Says which VGG16 weights are loaded and where they came from.
 *
 * @csspart label - The weights' description.
 */
@customElement('tl-weights-status')
export class TlWeightsStatus extends LitElement {
  static override styles = css`
    :host { display: block; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
    dt { color: #4a4f57; }
    dd { margin: 0; overflow-wrap: anywhere; }
    .warn { color: #8a4b00; }
  `;

  @property({attribute: false}) info: WeightsInfo | null = null;

  override render() {
    const info = this.info;
    if (!info) return html`<p>No weights loaded.</p>`;
    return html`
      <dl>
        <dt>Weights</dt><dd part="label">${info.label}</dd>
        <dt>Source</dt><dd>${ORIGIN_TEXT[info.origin]}</dd>
        <dt>Network</dt><dd>${describeNetwork(info.widths)}</dd>
        <dt>Size</dt><dd>${(info.params / 1e6).toFixed(2)} M parameters, ${formatBytes(info.bytes)}</dd>
        <dt>Id</dt><dd><code>${info.id.slice(0, 23)}</code></dd>
        ${info.origin === 'network' || info.origin === 'file'
          ? html`<dt>Offline copy</dt><dd class=${info.cached ? '' : 'warn'}>${info.cached ? 'kept in IndexedDB' : (info.cacheProblem ?? 'none: this page may not store anything here')}</dd>`
          : nothing}
        ${info.ignored.length
          ? html`<dt>Not used</dt><dd>${info.ignored.length} tensors outside the conv base (${info.ignored.slice(0, 3).join(', ')}${info.ignored.length > 3 ? ', …' : ''})</dd>`
          : nothing}
      </dl>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-weights-status': TlWeightsStatus;
  }
}
