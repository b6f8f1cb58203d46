import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-head-panel/tl-head-panel.ts';
import type {TlHeadPanel} from '../../src/components/tl-head-panel/tl-head-panel.ts';
import {DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';

describe('<tl-head-panel>', () => {
  it('starts with the tutorial’s settings and sends the edited ones', async () => {
    const el = await fixture<TlHeadPanel>(html`<tl-head-panel .options=${DEFAULT_HEAD_OPTIONS}></tl-head-panel>`);
    const form = el.shadowRoot!.querySelector('form')!;
    const field = (name: string) => form.querySelector<HTMLInputElement>(`[name=${name}]`)!;
    expect(field('epochs').value).to.equal('30');
    expect(field('batchSize').value).to.equal('20');
    expect(form.querySelector<HTMLSelectElement>('select')!.value).to.equal('rmsprop');
    await expect(el).to.be.accessible();

    field('epochs').value = '12';
    field('early').checked = true;
    field('patience').value = '3';
    setTimeout(() => form.requestSubmit());
    const {detail} = await oneEvent(el, 'tl-train');
    expect(detail.options).to.deep.equal({...DEFAULT_HEAD_OPTIONS, epochs: 12, earlyStoppingPatience: 3});
  });

  it('shows the run’s progress and offers Cancel while running; says why it cannot run', async () => {
    const epoch = {epoch: 4, loss: 0.2, accuracy: 0.9, valLoss: 0.3, valAccuracy: 0.88, seconds: 1.5, numTensors: 10};
    const el = await fixture<TlHeadPanel>(html`<tl-head-panel .options=${DEFAULT_HEAD_OPTIONS} running .lastEpoch=${epoch}></tl-head-panel>`);
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.match(/epoch 4 of 30.*validation loss 0\.300, accuracy 88\.0%/s);
    const cancel = el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=button]')!;
    setTimeout(() => cancel.click());
    await oneEvent(el, 'tl-cancel');

    el.running = false;
    el.lastEpoch = null;
    el.blocked = 'Waiting for features (step 2).';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled).to.equal(true);
    expect(el.shadowRoot!.textContent).to.contain('Waiting for features');
  });
});
