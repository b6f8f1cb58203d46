import {expect} from '@open-wc/testing';
import type {ImagePrediction} from '../../src/shared/protocol/index.ts';
import {predictionParity} from '../../src/view-model/prediction-parity.ts';

const p = (image: number, predicted: number, probability: number): ImagePrediction => ({image, truth: 0, predicted, probability});

describe('predictionParity', () => {
  it('calls predictions equal when every image has the same class and a probability within the tolerance', () => {
    const parity = predictionParity({predictions: [p(3, 1, 0.9), p(5, 0, 0.6)]}, {predictions: [p(5, 0, 0.60002), p(3, 1, 0.9)]});
    expect(parity).to.deep.include({compared: 2, unmatched: 0, otherClass: [], equal: true});
    expect(parity.maxProbabilityDifference).to.be.closeTo(2e-5, 1e-9);
  });

  it('names the images given another class, and tells a probability beyond the tolerance and unmatched images apart', () => {
    expect(predictionParity({predictions: [p(1, 1, 0.51), p(2, 0, 0.8)]}, {predictions: [p(1, 0, 0.51), p(2, 0, 0.8)]})).to.deep.include({otherClass: [1], equal: false});
    expect(predictionParity({predictions: [p(1, 1, 0.5)]}, {predictions: [p(1, 1, 0.51)]}).equal).to.equal(false);
    expect(predictionParity({predictions: [p(1, 1, 0.5)]}, {predictions: [p(1, 1, 0.51)]}, 0.02).equal).to.equal(true);
    expect(predictionParity({predictions: [p(1, 1, 0.5), p(2, 1, 0.5)]}, {predictions: [p(1, 1, 0.5), p(9, 1, 0.5)]})).to.deep.include({compared: 1, unmatched: 2, equal: false});
    expect(predictionParity({predictions: []}, {predictions: []}).equal).to.equal(false);
  });
});
