import {expect} from '@open-wc/testing';
import {describeHeatMap, heatColour, paintHeatMap, sampleHeatMap, thumbnailWindow} from '../../src/view-model/heat-map.ts';

const round = (values: Float32Array) => [...values].map((v) => Math.round(v * 1e4) / 1e4);

describe('heat maps for display', () => {
  it("samples block5_conv3's grid bilinearly between cell centres, holding the edges", () => {
    // 2×2 cells of 16 pixels over a 32-pixel input; 4×4 samples at input pixels 4, 12, 20, 28 → cell positions −0.25 (held at 0), 0.25, 0.75, 1.25 (held at 1).
    const map = {values: [0, 1, 0, 0], side: 2, cellPixels: 16, inputSize: 32};
    const sampled = sampleHeatMap(map, 4, 4);
    expect(round(sampled.slice(0, 4))).to.deep.equal([0, 0.25, 0.75, 1]);
    expect(round(sampled.slice(4, 8))).to.deep.equal([0, 0.1875, 0.5625, 0.75]);
    expect(round(sampled.slice(12, 16))).to.deep.equal([0, 0, 0, 0]);
    // At 150 pixels the 9 cells cover pixels 0–143 (the pools drop the rest), centres at 8, 24, …, 136.
    const wide = {values: Float32Array.from({length: 81}, (_, i) => (i % 9) / 8), side: 9, cellPixels: 16, inputSize: 150};
    const row = sampleHeatMap(wide, 150, 1);
    expect(row[7]).to.equal(0);
    expect(row[72]).to.be.closeTo((72.5 / 16 - 0.5) / 8, 1e-6);
    expect(row[135]).to.be.lessThan(1);
    expect([...row.slice(136)].every((v) => v === 1)).to.equal(true);
  });

  it("samples only what a thumbnail shows: the centre square of the image the network saw stretched", () => {
    expect(thumbnailWindow(40, 30)).to.deep.equal({x0: 0.125, x1: 0.875, y0: 0, y1: 1});
    expect(thumbnailWindow(30, 60)).to.deep.equal({x0: 0, x1: 1, y0: 0.25, y1: 0.75});
    // A 2:1 image: the thumbnail's left edge is a quarter into the input, between the two cells' centres.
    const map = {values: [0, 1, 0, 1], side: 2, cellPixels: 16, inputSize: 32};
    const across = sampleHeatMap(map, 2, 1, thumbnailWindow(60, 30));
    expect(round(across)).to.deep.equal([0.25, 0.75]);
  });

  it("colours with jet, Keras's Grad-CAM colours: dark blue at 0, green in the middle, dark red at 1", () => {
    expect(heatColour(0)).to.deep.equal([0, 0, 128]);
    expect(heatColour(0.5)).to.deep.equal([128, 255, 128]);
    expect(heatColour(1)).to.deep.equal([128, 0, 0]);
    expect(heatColour(0.875)).to.deep.equal([255, 0, 0]);
    expect(heatColour(2)).to.deep.equal([128, 0, 0]);
    expect([...paintHeatMap(Float32Array.from([0, 1]))]).to.deep.equal([0, 0, 128, 255, 128, 0, 0, 255]);
  });

  it('says where the map is hot: one patch by its place, scattered cells by the peak, most of the map as such', () => {
    expect(describeHeatMap({values: [0, 1, 0, 0.2], side: 2})).to.equal('looks mostly at the top right');
    expect(describeHeatMap({values: [1, 0.9, 0.1, 0.2], side: 2})).to.equal('looks mostly at the top');
    expect(describeHeatMap({values: [0.6, 0, 1, 0], side: 2})).to.equal('looks mostly at the left');
    expect(describeHeatMap({values: [1, 0, 0, 0.8], side: 2})).to.equal('looks at several places, most of all at the top left');
    expect(describeHeatMap({values: [0, 0, 0, 0, 1, 0, 0, 0.3, 0], side: 3})).to.equal('looks mostly at the centre');
    expect(describeHeatMap({values: [0, 0, 0, 0, 0, 0, 0, 1, 0], side: 3})).to.equal('looks mostly at the bottom');
    expect(describeHeatMap({values: [0.6, 0.7, 1, 0.1], side: 2})).to.equal('looks at most of the image, most of all at the bottom left');
    expect(describeHeatMap({values: [0, 0, 0, 0], side: 2})).to.equal(null);
  });
});
