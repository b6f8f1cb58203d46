import {expect, fixture, html} from '@open-wc/testing';
import '../../src/components/tl-dataset-summary/tl-dataset-summary.ts';
import type {TlDatasetSummary} from '../../src/components/tl-dataset-summary/tl-dataset-summary.ts';
import {sampleManifest} from '../support/sample-manifest.ts';

describe('<tl-dataset-summary>', () => {
  it('tabulates images per split and class, with totals', async () => {
    const el = await fixture<TlDatasetSummary>(html`<tl-dataset-summary .manifest=${sampleManifest()}></tl-dataset-summary>`);
    const rows = [...el.shadowRoot!.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()));
    expect(rows).to.deep.equal([
      ['Class', 'train', 'validation', 'test', 'total'],
      ['dolphins', '2', '1', '0', '3'],
      ['sharks', '1', '1', '1', '3'],
      ['all', '3', '2', '1', '6'],
    ]);
    await expect(el).to.be.accessible();
  });

  it('lists warnings and skipped files, names as plain text', async () => {
    const el = await fixture<TlDatasetSummary>(html`<tl-dataset-summary .manifest=${sampleManifest()}></tl-dataset-summary>`);
    const text = el.shadowRoot!.textContent!;
    expect(text).to.contain('Class "dolphins" has no test images');
    expect(text).to.contain('1 skipped file(s)');
    expect(text).to.contain('<img src=x onerror="window.pwned=1">.jpg');
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    await new Promise((r) => setTimeout(r, 50)); // an injected <img onerror> would have fired by now
    expect((window as {pwned?: number}).pwned).to.equal(undefined);
    expect(text).to.contain('3 other file(s) ignored');
  });
});
