import {expect} from '@open-wc/testing';
import {accuracyOf, confusionMatrix, perClassMetrics} from '../../src/shared/metrics.ts';

describe('classification metrics', () => {
  // A constructed case, worked by hand:
  // class 0: 4 images, 3 right, 1 called class 1
  // class 1: 3 images, 2 right, 1 called class 2
  // class 2: 3 images, 1 right, 1 called class 0, 1 called class 1
  const truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const predicted = [0, 0, 0, 1, 1, 1, 2, 2, 0, 1];

  it('counts the confusion matrix as [true][predicted]', () => {
    expect(confusionMatrix(truth, predicted, 3)).to.deep.equal([
      [3, 1, 0],
      [0, 2, 1],
      [1, 1, 1],
    ]);
  });

  it('gives accuracy and per-class precision, recall and F1', () => {
    const matrix = confusionMatrix(truth, predicted, 3);
    expect(accuracyOf(matrix)).to.equal(0.6);
    const metrics = perClassMetrics(matrix);
    // class 0: precision 3/4, recall 3/4; class 1: 2/4, 2/3; class 2: 1/2, 1/3
    expect(metrics.map((m) => m.support)).to.deep.equal([4, 3, 3]);
    expect(metrics[0]!.precision).to.equal(0.75);
    expect(metrics[0]!.recall).to.equal(0.75);
    expect(metrics[0]!.f1).to.be.closeTo(0.75, 1e-12);
    expect(metrics[1]!.precision).to.equal(0.5);
    expect(metrics[1]!.recall).to.be.closeTo(2 / 3, 1e-12);
    expect(metrics[1]!.f1).to.be.closeTo((2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 1e-12);
    expect(metrics[2]!.precision).to.equal(0.5);
    expect(metrics[2]!.recall).to.be.closeTo(1 / 3, 1e-12);
  });

  it('reports 0, not NaN, for a class never predicted or absent', () => {
    const metrics = perClassMetrics(confusionMatrix([0, 0, 1], [0, 0, 0], 3));
    expect(metrics[1]).to.deep.equal({precision: 0, recall: 0, f1: 0, support: 1});
    expect(metrics[2]).to.deep.equal({precision: 0, recall: 0, f1: 0, support: 0});
  });
});
