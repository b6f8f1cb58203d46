import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-progress/tl-progress.ts';
import type {TlProgress} from '../../src/components/tl-progress/tl-progress.ts';

describe('<tl-progress>', () => {
  it('shows done/total, rate and time left, and fires tl-cancel', async () => {
    const el = await fixture<TlProgress>(
      html`<tl-progress label="Importing" unit="files" cancellable .progress=${{kind: 'import', done: 1200, total: 3000, rate: 300, etaSeconds: 6, images: 1100}}></tl-progress>`,
    );
    const text = el.shadowRoot!.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Importing: 1,200 / 3,000 files');
    expect(text).to.contain('1,100 images');
    expect(text).to.contain('300/s');
    expect(text).to.contain('6 s left');
    expect(el.shadowRoot!.querySelector('progress')!.value).to.equal(1200);
    await expect(el).to.be.accessible();
    const button = el.shadowRoot!.querySelector('button')!;
    setTimeout(() => button.click());
    await oneEvent(el, 'tl-cancel');
  });
});
