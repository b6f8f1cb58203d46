import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-progress/tl-progress.ts';
import type {TlProgress} from '../../src/components/tl-progress/tl-progress.ts';

describe('<tl-progress>', () => {
  it('shows done/total, rate and time left, and fires tl-cancel', async () => {
    const el = await fixture<TlProgress>(
      html`<tl-progress label="Importing" cancellable .progress=${{kind: 'import', done: 1200, total: 3000, rate: 300, etaSeconds: 6, images: 1100}}></tl-progress>`,
    );
    const text = el.shadowRoot!.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Importing: 1,200 / 3,000 files');
    expect(text).to.contain('1,100 images');
    expect(text).to.contain('300 files/s');
    expect(text).to.contain('6 s left');
    expect(el.shadowRoot!.querySelector('progress')!.value).to.equal(1200);
    await expect(el).to.be.accessible();
    const button = el.shadowRoot!.querySelector('button')!;
    setTimeout(() => button.click());
    await oneEvent(el, 'tl-cancel');
  });

  it('says where fine-tuning is: epoch, batch, images/s, time left, running loss and accuracy', async () => {
    const progress = {kind: 'fine-tune', stage: 'train', epoch: 2, epochs: 5, batch: 3, batches: 7, loss: 0.4321, accuracy: 0.8125, done: 45, total: 100, rate: 2.5, etaSeconds: 22} as const;
    const el = await fixture<TlProgress>(html`<tl-progress label="Fine-tuning" .progress=${progress}></tl-progress>`);
    const text = el.shadowRoot!.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Fine-tuning: Epoch 2 of 5 · batch 3 of 7');
    expect(text).to.contain('2.5 images/s');
    expect(text).to.contain('22 s left');
    expect(text).to.contain('loss 0.432, accuracy 81.3 %');
    el.progress = {...progress, stage: 'validate', batch: 0};
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('Epoch 2 of 5 · validating');
  });

  it('shows a download in bytes with its rate', async () => {
    const progress = {kind: 'weights', stage: 'download', done: 20 * 1024 * 1024, total: 58 * 1024 * 1024, rate: 4 * 1024 * 1024, etaSeconds: 9.5} as const;
    const el = await fixture<TlProgress>(html`<tl-progress label="Weights" .progress=${progress}></tl-progress>`);
    const text = el.shadowRoot!.querySelector('[role=status]')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Downloading: 20.0 MiB of 58.0 MiB');
    expect(text).to.contain('4.0 MiB/s');
    expect(text).to.contain('10 s left');
  });
});
