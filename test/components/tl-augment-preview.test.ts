import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-augment-preview/tl-augment-preview.ts';
import type {TlAugmentPreview} from '../../src/components/tl-augment-preview/tl-augment-preview.ts';

describe('<tl-augment-preview>', () => {
  it('draws each augmented image it is given and asks for more on request', async () => {
    const size = 4;
    const pixels = new Uint8Array(3 * size * size * 3);
    pixels.fill(200, 0, size * size * 3); // the first image light, the others black
    const el = await fixture<TlAugmentPreview>(html`<tl-augment-preview .pixels=${pixels} size=${size}></tl-augment-preview>`);
    const canvases = [...el.shadowRoot!.querySelectorAll('canvas')];
    expect(canvases).to.have.length(3);
    expect(Array.from(canvases[0]!.getContext('2d')!.getImageData(0, 0, 1, 1).data)).to.deep.equal([200, 200, 200, 255]);
    expect(Array.from(canvases[1]!.getContext('2d')!.getImageData(0, 0, 1, 1).data)).to.deep.equal([0, 0, 0, 255]);
    await expect(el).to.be.accessible();
    setTimeout(() => el.shadowRoot!.querySelector('button')!.click());
    await oneEvent(el, 'tl-reroll');
  });
});
