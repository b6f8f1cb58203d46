import {html} from 'lit';
import type {HeatOpacityDetail} from '../tl-results/tl-results.ts';

/**
 * The heat maps' opacity control, the same over the gallery and in the large
 * view: a change is announced from `host` as `tl-heat-opacity`, and the lab
 * keeps one value for both.
 */
export function opacitySlider(opacity: number, host: HTMLElement) {
  const changed = (event: Event) => {
    const detail: HeatOpacityDetail = {opacity: Number((event.target as HTMLInputElement).value)};
    host.dispatchEvent(new CustomEvent('tl-heat-opacity', {detail, bubbles: true, composed: true}));
  };
  return html`<label>
    Opacity
    <input type="range" min="0" max="1" step="0.05" .value=${String(opacity)} aria-valuetext=${`${Math.round(opacity * 100)} %`} @input=${changed} />
  </label>`;
}
