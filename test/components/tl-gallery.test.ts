import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/components/tl-gallery/tl-gallery.ts';
import type {TlGallery} from '../../src/components/tl-gallery/tl-gallery.ts';
import type {DatasetImage} from '../../src/shared/protocol/index.ts';

function images(n: number): DatasetImage[] {
  const thumbnail = new Blob([], {type: 'image/webp'});
  return Array.from({length: n}, (_, i) => ({
    hash: String(i).padStart(64, '0'),
    path: `p/${i}.png`,
    label: i % 3,
    split: (['train', 'validation', 'test'] as const)[i % 5 === 0 ? 2 : i % 5 === 1 ? 1 : 0],
    format: 'png' as const,
    width: 8,
    height: 8,
    thumbnail,
  }));
}

const items = (el: TlGallery) => [...el.shadowRoot!.querySelectorAll('[part=item]')];

describe('<tl-gallery>', () => {
  it('renders only the rows in view, even for thousands of images', async () => {
    const el = await fixture<TlGallery>(html`<tl-gallery style="width: 600px" .images=${images(5000)} .classes=${['a', 'b', 'c']}></tl-gallery>`);
    await waitUntil(() => items(el).length > 10, 'not enough rendered');
    const shown = items(el).length;
    expect(shown).to.be.greaterThan(10);
    expect(shown).to.be.lessThan(200);
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('5,000 image(s)');

    const grid = el.shadowRoot!.querySelector<HTMLElement>('.grid')!;
    grid.scrollTop = grid.scrollHeight - grid.clientHeight;
    grid.dispatchEvent(new Event('scroll'));
    await el.updateComplete;
    const last = items(el).map((f) => f.getAttribute('title'));
    expect(last).to.include('p/4999.png');
    expect(items(el).length).to.be.lessThan(200);
    await expect(el).to.be.accessible();
  });

  it('filters by split and by class, and captions each image with its class', async () => {
    const all = images(30);
    const el = await fixture<TlGallery>(html`<tl-gallery style="width: 600px" .images=${all} .classes=${['a', 'b', 'c']}></tl-gallery>`);
    el.split = 'test';
    el.label = 1;
    await el.updateComplete;
    const expected = all.filter((i) => i.split === 'test' && i.label === 1).map((i) => i.path);
    expect(expected.length).to.be.greaterThan(0);
    expect(el.visibleIndices.map((i) => all[i]!.path)).to.deep.equal(expected);
    await waitUntil(() => items(el).length === expected.length);
    expect(items(el).map((f) => f.querySelector('.caption')!.textContent)).to.deep.equal(expected.map(() => 'b'));

    const select = el.shadowRoot!.querySelectorAll('select')[0]!;
    select.value = '';
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.visibleIndices).to.have.length(all.filter((i) => i.label === 1).length);
  });
});
