import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/components/tl-confusion/tl-confusion.ts';
import '../../src/components/tl-results/tl-results.ts';
import type {TlConfusion} from '../../src/components/tl-confusion/tl-confusion.ts';
import type {TlResults} from '../../src/components/tl-results/tl-results.ts';
import {accuracyOf, confusionMatrix, perClassMetrics} from '../../src/shared/metrics.ts';
import type {DatasetManifest, EvaluationResult, ImagePrediction} from '../../src/shared/protocol/index.ts';
import {sampleManifest} from '../support/sample-manifest.ts';

function evaluation(manifest: DatasetManifest): EvaluationResult {
  // Images 0..5 of the sample: predicted right except image 1 (dolphin → shark, 90%) and image 4 (shark → dolphin, 60%).
  const predictions: ImagePrediction[] = manifest.images.map((image, i) => ({
    image: i,
    truth: image.label,
    predicted: i === 1 || i === 4 ? 1 - image.label : image.label,
    probability: i === 1 ? 0.9 : i === 4 ? 0.6 : 0.8,
  }));
  const confusion = confusionMatrix(predictions.map((p) => p.truth), predictions.map((p) => p.predicted), 2);
  return {split: 'test', model: 'head', datasetId: manifest.id, loss: 0.42, accuracy: accuracyOf(confusion), confusion, perClass: perClassMetrics(confusion), predictions, classes: manifest.classes};
}

const captions = (el: TlResults) =>
  [...el.shadowRoot!.querySelector('tl-gallery')!.shadowRoot!.querySelectorAll('.caption')].map((c) => c.textContent);

describe('<tl-confusion> and <tl-results>', () => {
  it('renders the matrix as buttons that select a cell, accessibly', async () => {
    const el = await fixture<TlConfusion>(html`<tl-confusion .matrix=${[[3, 1], [0, 2]]} .classes=${['a', 'b']}></tl-confusion>`);
    const buttons = [...el.shadowRoot!.querySelectorAll('button')];
    expect(buttons.map((b) => b.textContent!.trim())).to.deep.equal(['3', '1', '0', '2']);
    expect(buttons[1]!.getAttribute('aria-label')).to.equal('1 a image(s) predicted as b');
    let detail: unknown;
    el.addEventListener('tl-confusion-select', (e) => (detail = e.detail));
    buttons[1]!.click();
    expect(detail).to.deep.equal({truth: 0, predicted: 1});
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('button')[1]!.getAttribute('aria-pressed')).to.equal('true');
    el.shadowRoot!.querySelectorAll('button')[1]!.click();
    expect(detail).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows accuracy, per-class metrics and mistakes first; a cell click narrows the gallery', async () => {
    const manifest = sampleManifest();
    const el = await fixture<TlResults>(html`<tl-results style="width: 700px" .manifest=${manifest} .result=${evaluation(manifest)}></tl-results>`);
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.match(/accuracy\s+66\.7%\s+\(4 of 6\), loss 0\.420/);
    await waitUntil(() => captions(el).length === 6, 'gallery not rendered');
    // The confident mistake first, then the other mistake, then the right ones.
    expect(captions(el).slice(0, 2)).to.deep.equal(['sharks (dolphins) 90%', 'dolphins (sharks) 60%']);
    el.shadowRoot!.querySelector('tl-confusion')!.shadowRoot!.querySelectorAll('button')[1]!.click(); // dolphins → sharks
    await el.updateComplete;
    await waitUntil(() => captions(el).length === 1, 'cell not applied');
    expect(captions(el)).to.deep.equal(['sharks (dolphins) 90%']);
    await expect(el).to.be.accessible();
  });
});
