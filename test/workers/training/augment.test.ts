import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {DEFAULT_AUGMENT} from '../../../src/shared/defaults.ts';
import {mulberry32} from '../../../src/shared/random.ts';
import {NO_AUGMENT, augmentBatch, drawAugmentParams, type AugmentParams} from '../../../workers/training/augment.ts';
import '../../../workers/runtime/backends.ts';

/** A 4×4 one-channel test pattern: value = 4·row + column. */
const PATTERN = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
  [8, 9, 10, 11],
  [12, 13, 14, 15],
];

/** Read back asynchronously: on WebGPU, synchronous reads have been seen to return zeros. */
async function apply(params: Partial<AugmentParams>): Promise<number[][]> {
  const image = tf.tensor4d(PATTERN.flat(), [1, 4, 4, 1]);
  const out = augmentBatch(image, [{...NO_AUGMENT, ...params}]);
  const rows = (await out.reshape([4, 4]).array()) as number[][];
  tf.dispose([image, out]);
  return rows.map((row) => row.map((v) => Math.round(v * 1e4) / 1e4));
}

// cpu as the reference; wasm trains without a GPU, webgl and webgpu with one (here both run on SwiftShader).
for (const backend of ['cpu', 'wasm', 'webgl', 'webgpu'] as const) {
  describe(`augmentation with Keras ImageDataGenerator semantics (${backend})`, function () {
    before(async () => {
      expect(await tf.setBackend(backend), `${backend} starts`).to.equal(true);
    });
    after(async () => {
      await tf.setBackend('cpu');
    });

    it('leaves an image alone with the identity transform', async () => {
      expect(await apply({})).to.deep.equal(PATTERN);
    });

    it('rotates 90° about the centre: output[r][c] = input[3 − c][r]', async () => {
      expect(await apply({theta: 90})).to.deep.equal([
        [12, 8, 4, 0],
        [13, 9, 5, 1],
        [14, 10, 6, 2],
        [15, 11, 7, 3],
      ]);
    });

    it('flips horizontally', async () => {
      expect(await apply({flip: true})).to.deep.equal([
        [3, 2, 1, 0],
        [7, 6, 5, 4],
        [11, 10, 9, 8],
        [15, 14, 13, 12],
      ]);
    });

    it('shifts, filling the uncovered edge with the nearest pixel (scipy mode="nearest")', async () => {
      // tx = +1 row: output[r] = input[r + 1]; the last row repeats the edge.
      expect(await apply({tx: 1})).to.deep.equal([PATTERN[1], PATTERN[2], PATTERN[3], PATTERN[3]]);
      // ty = −2 columns: output[r][c] = input[r][c − 2]; columns 0 and 1 repeat column 0.
      expect(await apply({ty: -2})).to.deep.equal(PATTERN.map((row) => [row[0], row[0], row[0], row[1]]));
    });

    it('interpolates bilinearly between pixels (a half-pixel shift averages neighbours)', async () => {
      expect((await apply({ty: 0.5}))[0]).to.deep.equal([0.5, 1.5, 2.5, 3]);
    });

    it('transforms every image of a batch, each by its own params (tfjs-backend-cpu 4.22 alone does only the first)', async () => {
      const batch = tf.tensor4d([...PATTERN.flat(), ...PATTERN.flat(), ...PATTERN.flat()], [3, 4, 4, 1]);
      const out = augmentBatch(batch, [NO_AUGMENT, {...NO_AUGMENT, theta: 90}, {...NO_AUGMENT, flip: true}]);
      const images = ((await out.reshape([3, 4, 4]).array()) as number[][][]).map((rows) => rows.map((row) => row.map((v) => Math.round(v * 1e4) / 1e4)));
      tf.dispose([batch, out]);
      expect(images).to.deep.equal([await apply({}), await apply({theta: 90}), await apply({flip: true})]);
    });
  });
}

describe('augmentation draws', () => {
  it('are the same for the same seed and differ for another, within the tutorial’s ranges', () => {
    const draw = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({length: 20}, () => drawAugmentParams(DEFAULT_AUGMENT, 150, 150, random));
    };
    const a = draw(1);
    expect(draw(1)).to.deep.equal(a);
    expect(draw(2)).not.to.deep.equal(a);
    for (const p of a) {
      expect(Math.abs(p.theta)).to.be.at.most(40);
      expect(Math.abs(p.tx)).to.be.at.most(30);
      expect(Math.abs(p.ty)).to.be.at.most(30);
      expect(Math.abs(p.shear)).to.be.at.most(0.2);
      expect(p.zx).to.be.within(0.8, 1.2);
      expect(p.zy).to.be.within(0.8, 1.2);
    }
    expect(a.some((p) => p.flip) && a.some((p) => !p.flip)).to.equal(true);
  });

  it('give the same pixels for the same seed on a real batch, and leave only their result', () => {
    const images = tf.randomUniform([3, 16, 16, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const run = (seed: number) => {
      const random = mulberry32(seed);
      const before = tf.memory().numTensors;
      const out = augmentBatch(images, [0, 1, 2].map(() => drawAugmentParams(DEFAULT_AUGMENT, 16, 16, random)));
      expect(tf.memory().numTensors, 'only the output is new').to.equal(before + 1);
      const values = Array.from(out.dataSync());
      out.dispose();
      return values;
    };
    expect(run(5)).to.deep.equal(run(5));
    expect(run(5)).not.to.deep.equal(run(6));
    images.dispose();
  });
});
