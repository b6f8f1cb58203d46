import {expect, fixture, html} from '@open-wc/testing';
import '../../src/components/tl-weights-status/tl-weights-status.ts';
import type {TlWeightsStatus} from '../../src/components/tl-weights-status/tl-weights-status.ts';
import type {WeightsInfo} from '../../src/shared/protocol/index.ts';

const info: WeightsInfo = {
  id: 'sha256:0123456789abcdef0123456789abcdef',
  origin: 'network',
  label: 'tfjs layers model from https://example.test/vgg16/model.json',
  url: 'https://example.test/vgg16/model.json',
  bytes: 58_858_752,
  params: 14_714_688,
  widths: [64, 128, 256, 512, 512],
  ignored: ['fc1/kernel', 'fc1/bias'],
  cached: false,
  cacheProblem: 'IndexedDB could not keep a 56.1 MB copy (QuotaExceededError: full)',
  defaults: {},
};

describe('<tl-weights-status>', () => {
  it('says which weights are loaded, where from, and what went wrong with the offline copy', async () => {
    const el = await fixture<TlWeightsStatus>(html`<tl-weights-status .info=${info}></tl-weights-status>`);
    const text = el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('tfjs layers model from https://example.test/vgg16/model.json');
    expect(text).to.contain('downloaded now');
    expect(text).to.contain('VGG16 conv base (filters per block 64-128-256-512-512)');
    expect(text).to.contain('14.71 M parameters, 56.1 MiB');
    expect(text).to.contain('QuotaExceededError');
    expect(text).to.contain('2 tensors outside the conv base (fc1/kernel, fc1/bias)');
    await expect(el).to.be.accessible();
  });

  it('names a narrow variant as such', async () => {
    const narrow = {...info, widths: [16, 32, 64, 128, 128], params: 920_000};
    const el = await fixture<TlWeightsStatus>(html`<tl-weights-status .info=${narrow}></tl-weights-status>`);
    expect(el.shadowRoot!.textContent!.replace(/\s+/g, ' ')).to.contain('Narrow VGG16 layout: same 13 layers and names, filters per block 16-32-64-128-128');
  });

  it('says when no weights are loaded', async () => {
    const el = await fixture<TlWeightsStatus>(html`<tl-weights-status></tl-weights-status>`);
    expect(el.shadowRoot!.textContent).to.contain('No weights loaded');
  });
});
