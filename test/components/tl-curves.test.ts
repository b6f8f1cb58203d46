import {expect, fixture, html} from '@open-wc/testing';
import '../../src/components/tl-curves/tl-curves.ts';
import type {TlCurves} from '../../src/components/tl-curves/tl-curves.ts';
import type {EpochLog} from '../../src/shared/protocol/index.ts';
import type {CurveRun} from '../../src/view-model/curves.ts';

const history = (n: number, offset = 0): EpochLog[] =>
  Array.from({length: n}, (_, i) => ({
    epoch: i + 1,
    loss: 1 / (i + 1 + offset),
    accuracy: 0.5 + i / (2 * n),
    valLoss: 1.2 / (i + 1 + offset),
    valAccuracy: 0.5 + i / (3 * n),
    seconds: 0.5,
    numTensors: 20,
  }));

describe('<tl-curves>', () => {
  it('draws the series it is given, one chart per metric, runs overlaid', async () => {
    const runs: CurveRun[] = [
      {id: 'r1', label: 'Run 1', history: history(5), bestEpoch: 5},
      {id: 'r2', label: 'Run 2', history: history(3, 1)},
    ];
    const el = await fixture<TlCurves>(html`<tl-curves style="width: 800px" .runs=${runs}></tl-curves>`);
    expect(el.shadowRoot!.querySelectorAll('canvas')).to.have.length(2);
    const loss = el.chartData('loss')!;
    expect(loss[0]).to.deep.equal([1, 2, 3, 4, 5]);
    expect(loss.slice(1).map((s) => s.length)).to.deep.equal([5, 5, 5, 5]);
    expect(loss[1]).to.deep.equal(runs[0]!.history.map((h) => h.loss));
    expect(loss[4]).to.deep.equal([...runs[1]!.history.map((h) => h.valLoss), null, null]);
    expect(el.marks()).to.deep.equal([
      {run: 'r1', best: 5, phaseChanges: []},
      {run: 'r2', best: 3, phaseChanges: []}, // none given: the lowest validation loss so far
    ]);
    const legend = el.shadowRoot!.textContent!;
    expect(legend).to.contain('Run 1 · validation');
    expect(legend).to.contain('best epoch 5');
    await expect(el).to.be.accessible();
  });

  it('smooths on request and follows a growing run', async () => {
    const run: CurveRun = {id: 'r', label: 'Run', history: history(2)};
    const el = await fixture<TlCurves>(html`<tl-curves .runs=${[run]}></tl-curves>`);
    const raw = el.chartData('loss')![1]!.slice();
    el.shadowRoot!.querySelector<HTMLInputElement>('input[type=checkbox]')!.click();
    await el.updateComplete;
    expect(el.smoothing).to.equal(true);
    expect(el.chartData('loss')![1]).to.deep.equal([raw[0], raw[0]! * 0.8 + raw[1]! * 0.2]);

    el.runs = [{...run, history: history(4)}];
    await el.updateComplete;
    expect(el.chartData('loss')![0]).to.deep.equal([1, 2, 3, 4]);
  });

  it('says where curves will appear before any epoch ends', async () => {
    const el = await fixture<TlCurves>(html`<tl-curves></tl-curves>`);
    expect(el.shadowRoot!.textContent).to.contain('Curves appear here');
  });
});
