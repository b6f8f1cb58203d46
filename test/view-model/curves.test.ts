import {expect} from '@open-wc/testing';
import type {EpochLog} from '../../src/shared/protocol/index.ts';
import {seriesFor, smooth, type CurveRun} from '../../src/view-model/curves.ts';

const log = (epoch: number, loss: number, valLoss: number): EpochLog => ({
  epoch,
  loss,
  accuracy: 1 - loss,
  valLoss,
  valAccuracy: 1 - valLoss,
  seconds: 1,
  numTensors: 10,
});

describe('curve folds', () => {
  it('smooths like the tutorial: previous × 0.8 + point × 0.2', () => {
    expect(smooth([1, 0, 0])).to.deep.equal([1, 0.8, 0.6400000000000001]);
    expect(smooth([])).to.deep.equal([]);
  });

  it('aligns runs of different lengths, training and validation per run', () => {
    const runs: CurveRun[] = [
      {id: 'a', label: 'A', history: [log(1, 0.9, 0.8), log(2, 0.5, 0.6), log(3, 0.3, 0.5)]},
      {id: 'b', label: 'B', history: [log(1, 0.7, 0.7)]},
    ];
    const {epochs, series} = seriesFor(runs, 'loss', false);
    expect(epochs).to.deep.equal([1, 2, 3]);
    expect(series.map((s) => [s.label, s.values])).to.deep.equal([
      ['A · training', [0.9, 0.5, 0.3]],
      ['A · validation', [0.8, 0.6, 0.5]],
      ['B · training', [0.7, null, null]],
      ['B · validation', [0.7, null, null]],
    ]);
    const accuracy = seriesFor(runs, 'accuracy', true);
    expect(accuracy.series[0]!.values[1]).to.be.closeTo(0.1 * 0.8 + 0.5 * 0.2, 1e-9);
  });

  it('starts a run that continues another at their last shared epoch while both are drawn, so neither hides the other', () => {
    const head: CurveRun = {id: 'head-1', label: 'Head', history: [log(1, 0.9, 0.8), log(2, 0.5, 0.6)]};
    const fine: CurveRun = {
      id: 'fine-2',
      label: 'Head + fine-tune',
      history: [...head.history, log(3, 0.4, 0.5)],
      phaseChanges: [2],
      continues: {id: 'head-1', epochs: 2},
    };
    const both = seriesFor([head, fine], 'loss', false).series.map((s) => s.values);
    expect(both).to.deep.equal([
      [0.9, 0.5, null],
      [0.8, 0.6, null],
      [null, 0.5, 0.4],
      [null, 0.6, 0.5],
    ]);
    // Alone (its head run not drawn), it shows the epochs it carries.
    expect(seriesFor([fine], 'loss', false).series[0]!.values).to.deep.equal([0.9, 0.5, 0.4]);
    // Smoothing runs over the whole history: the joined line is the one the head run draws.
    const smoothed = seriesFor([head, fine], 'loss', true).series;
    expect(smoothed[2]!.values[1]).to.equal(smoothed[0]!.values[1]);
  });
});
