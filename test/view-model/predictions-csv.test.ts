import {expect} from '@open-wc/testing';
import type {EvaluationResult} from '../../src/shared/protocol/index.ts';
import {predictionsCsv} from '../../src/view-model/predictions-csv.ts';

describe('predictionsCsv', () => {
  it('writes one quoted-where-needed row per image, and defuses formula-like names', () => {
    const result = {
      split: 'test',
      model: 'head',
      classes: ['cat, tabby', 'dog'],
      predictions: [
        {image: 0, truth: 0, predicted: 1, probability: 0.875},
        {image: 1, truth: 1, predicted: 1, probability: 0.5},
      ],
    } as unknown as EvaluationResult;
    const images = [{path: 'test/cat/"quoted".jpg'}, {path: '=HYPERLINK("x")'}] as never;
    expect(predictionsCsv(result, {images}).split('\r\n')).to.deep.equal([
      'path,split,true,predicted,probability,correct',
      '"test/cat/""quoted"".jpg",test,"cat, tabby",dog,0.875000,false',
      `"'=HYPERLINK(""x"")",test,dog,dog,0.500000,true`,
      '',
    ]);
  });
});
