import {expect} from '@open-wc/testing';
import {RESIZE_METHODS, type ResizeMethod} from '../../../src/shared/protocol/index.ts';
import {resizeRgb, type ResizeSource} from '../../../workers/dataset/resize.ts';

/** test/fixtures/resize/pil-resize-fixtures.json, made by scripts/resize-fixtures/make_resize_fixtures.py. */
interface FixtureFile {
  pillow: string;
  cases: {
    name: string;
    width: number;
    height: number;
    channels: 3 | 4;
    outWidth: number;
    outHeight: number;
    source: string;
    expected: Record<ResizeMethod, string>;
  }[];
}

interface Case {
  name: string;
  src: ResizeSource;
  outWidth: number;
  outHeight: number;
  /** Pillow's bytes: RGB, outWidth × outHeight. */
  expected: Record<ResizeMethod, Uint8Array>;
}

const FIXTURE_URL = new URL('../../fixtures/resize/pil-resize-fixtures.json', import.meta.url);

/** base64 of zlib data → bytes. */
async function inflate(base64: string): Promise<Uint8Array> {
  const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let fixture: Promise<{pillow: string; cases: Case[]}> | undefined;
const loadFixture = () =>
  (fixture ??= (async () => {
    const response = await fetch(FIXTURE_URL);
    if (!response.ok) throw new Error(`${FIXTURE_URL.href}: HTTP ${response.status}`);
    const file = (await response.json()) as FixtureFile;
    const cases: Case[] = [];
    for (const c of file.cases) {
      const data = await inflate(c.source);
      const rgbSource = c.channels === 3 ? data : dropAlpha(data);
      const expected = {} as Record<ResizeMethod, Uint8Array>;
      for (const method of RESIZE_METHODS) {
        const packed = c.expected[method];
        expected[method] = packed === 'same-as-source' ? rgbSource : await inflate(packed);
      }
      cases.push({name: c.name, src: {data, width: c.width, height: c.height, channels: c.channels}, outWidth: c.outWidth, outHeight: c.outHeight, expected});
    }
    return {pillow: file.pillow, cases};
  })());

function dropAlpha(rgba: Uint8Array): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) rgb.set(rgba.subarray(i, i + 3), o);
  return rgb;
}

/** Max and mean absolute difference, and how many bytes differ at all and by more than 1. */
function difference(actual: Uint8Array, expected: Uint8Array): {max: number; mean: number; differing: number; over1: number} {
  expect(actual.length, 'lengths differ').to.equal(expected.length);
  let max = 0;
  let sum = 0;
  let differing = 0;
  let over1 = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    sum += d;
    if (d > max) max = d;
    if (d > 0) differing++;
    if (d > 1) over1++;
  }
  return {max, mean: sum / actual.length, differing, over1};
}

const caseByName = (cases: Case[], name: string): Case => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture case ${name}`);
  return found;
};

/** A seeded RGBA picture with every alpha value, for tests that need no Pillow. */
function seededRgba(width: number, height: number, seed: number): ResizeSource {
  const data = new Uint8Array(width * height * 4);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const x = (i >> 2) % width;
    data[i] = (i & 3) === 3 ? s & 255 : (x * 7 + (s & 63)) & 255;
  }
  return {data, width, height, channels: 4};
}

describe('resizeRgb: Pillow Image.resize, byte for byte (fixtures from scripts/resize-fixtures)', function () {
  const table: string[] = [];

  after(() => {
    if (table.length) console.log(`resizeRgb vs Pillow, |difference| in grey levels:\n${table.join('\n')}`);
  });

  for (const method of RESIZE_METHODS) {
    it(`${method}: every fixture case within 1 grey level of Pillow`, async function () {
      const {pillow, cases} = await loadFixture();
      expect(cases.length).to.be.greaterThan(10);
      let max = 0;
      let sum = 0;
      let differing = 0;
      let bytes = 0;
      const failures: string[] = [];
      for (const c of cases) {
        const actual = resizeRgb(c.src, c.outWidth, c.outHeight, method);
        const d = difference(actual, c.expected[method]);
        if (d.max > 1) failures.push(`${c.name}: max ${d.max}, ${d.over1} bytes off by more than 1`);
        max = Math.max(max, d.max);
        sum += d.mean * actual.length;
        differing += d.differing;
        bytes += actual.length;
      }
      const summary = `${method}: max ${max}, mean ${(sum / bytes).toFixed(6)}, ${differing} of ${bytes} bytes differ, ${cases.length} cases vs Pillow ${pillow}`;
      table.push(`  ${summary}`);
      if (this.test) this.test.title += ` (${summary})`;
      expect(failures, failures.join('\n')).to.deep.equal([]);
      // Off-by-ones are allowed only as rare accidents (a Pillow built with FMA, say). Systematic
      // ones mean a wrong algorithm that ±1 would hide: the vertical pass first makes 2.5% of
      // bilinear bytes differ by 1, weights left unnormalised 0.3%. (This port matches exactly.)
      expect(differing / bytes, `${method}: share of bytes not exactly Pillow's`).to.be.below(0.001);
    });
  }

  it('would catch a wrong filter: other methods differ from Pillow by far more than 1', async () => {
    const {cases} = await loadFixture();
    const up = caseByName(cases, 'colour-64x48-to-150x150');
    const down = caseByName(cases, 'photo-500x375-to-150x150');
    const wrong: [Case, ResizeMethod, ResizeMethod][] = [
      [up, 'bilinear', 'bicubic'],
      [up, 'nearest', 'area'], // box upscaling is nearest-like; still not the same pixels
      [down, 'bilinear', 'area'],
      [down, 'nearest', 'bilinear'],
      [down, 'bicubic', 'bilinear'],
    ];
    for (const [c, ours, theirs] of wrong) {
      const d = difference(resizeRgb(c.src, c.outWidth, c.outHeight, ours), c.expected[theirs]);
      expect(d.max, `${c.name}: our ${ours} vs Pillow's ${theirs}`).to.be.greaterThan(1);
    }
    // And the right one, same case, agrees.
    expect(difference(resizeRgb(up.src, up.outWidth, up.outHeight, 'bicubic'), up.expected.bicubic).max).to.be.at.most(1);
    // The comparison itself sees a single byte off by 2.
    const nudged = up.expected.bicubic.slice();
    nudged[12345] = nudged[12345] > 127 ? nudged[12345] - 2 : nudged[12345] + 2;
    expect(difference(up.expected.bicubic, nudged)).to.deep.include({max: 2, over1: 1});
  });

  it('drops alpha like convert("RGB"): an RGBA fixture matches Pillow, and equals resizing its RGB bytes', async () => {
    const {cases} = await loadFixture();
    const rgba = cases.find((c) => c.src.channels === 4);
    expect(rgba, 'the fixture has an RGBA case').to.not.equal(undefined);
    const rgb: ResizeSource = {...rgba!.src, data: dropAlpha(rgba!.src.data as Uint8Array), channels: 3};
    for (const method of RESIZE_METHODS) {
      const fromRgba = resizeRgb(rgba!.src, rgba!.outWidth, rgba!.outHeight, method);
      expect(difference(fromRgba, rgba!.expected[method]).max, method).to.be.at.most(1);
      expect(fromRgba, method).to.deep.equal(resizeRgb(rgb, rgba!.outWidth, rgba!.outHeight, method));
    }
    // Alpha has no say: the same colours under other alphas give the same bytes.
    const other = seededRgba(40, 30, 9);
    const otherAlpha = {...other, data: other.data.map((v, i) => ((i & 3) === 3 ? 255 - v : v))};
    for (const method of RESIZE_METHODS) {
      expect(resizeRgb(otherAlpha, 23, 17, method), method).to.deep.equal(resizeRgb(other, 23, 17, method));
    }
  });
});

describe('resizeRgb: shape, identity, determinism, arguments', () => {
  it('returns outWidth × outHeight × 3 bytes for up, down, stretch and 1-pixel sizes', () => {
    const src = seededRgba(37, 23, 1);
    for (const method of RESIZE_METHODS) {
      for (const [w, h] of [[1, 1], [16, 16], [150, 150], [37, 5], [3, 90], [74, 23], [37, 46]]) {
        const out = resizeRgb(src, w, h, method);
        expect(out, `${method} ${w}×${h}`).to.be.instanceOf(Uint8Array);
        expect(out.length, `${method} ${w}×${h}`).to.equal(w * h * 3);
      }
    }
  });

  it('keeps the RGB bytes when the size does not change (a new array; alpha dropped)', () => {
    const rgba = seededRgba(31, 17, 2);
    const rgb = dropAlpha(rgba.data as Uint8Array);
    for (const method of RESIZE_METHODS) {
      expect(resizeRgb(rgba, 31, 17, method), method).to.deep.equal(rgb);
      const src: ResizeSource = {data: rgb, width: 31, height: 17, channels: 3};
      const same = resizeRgb(src, 31, 17, method);
      expect(same, method).to.deep.equal(rgb);
      expect(same, method).to.not.equal(rgb);
    }
  });

  it('is deterministic and leaves its input alone', () => {
    const src = seededRgba(61, 45, 3);
    const before = src.data.slice();
    for (const method of RESIZE_METHODS) {
      const a = resizeRgb(src, 29, 50, method);
      const b = resizeRgb(src, 29, 50, method);
      expect(a, method).to.deep.equal(b);
      expect(a, method).to.not.equal(b);
    }
    expect(src.data).to.deep.equal(before);
  });

  it('accepts ImageData-style Uint8ClampedArray data', () => {
    const src = seededRgba(20, 12, 4);
    const clamped: ResizeSource = {...src, data: new Uint8ClampedArray(src.data)};
    for (const method of RESIZE_METHODS) expect(resizeRgb(clamped, 9, 30, method), method).to.deep.equal(resizeRgb(src, 9, 30, method));
  });

  it('throws a RangeError that names the bad argument', () => {
    const src = seededRgba(8, 8, 5);
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      expect(() => resizeRgb(src, bad, 8, 'bilinear'), `outWidth ${bad}`).to.throw(RangeError, /outWidth must be a positive integer/);
      expect(() => resizeRgb(src, 8, bad, 'nearest'), `outHeight ${bad}`).to.throw(RangeError, /outHeight must be a positive integer/);
      expect(() => resizeRgb({...src, width: bad}, 4, 4, 'area'), `width ${bad}`).to.throw(RangeError, /source width must be a positive integer/);
    }
    expect(() => resizeRgb({...src, data: src.data.subarray(1)}, 4, 4, 'area')).to.throw(RangeError, /data has 255 bytes; a 8×8 image with 4 channels needs 256/);
    expect(() => resizeRgb({...src, channels: 2 as 3}, 4, 4, 'area')).to.throw(RangeError, /channels must be 3 or 4/);
    expect(() => resizeRgb(src, 4, 4, 'lanczos' as ResizeMethod)).to.throw(RangeError, /unknown method "lanczos"/);
  });

  it('resizes a 500×375 photo to 150×150 in a few ms (timings logged)', async () => {
    const {cases} = await loadFixture();
    const photo = caseByName(cases, 'photo-500x375-to-150x150');
    // As a canvas hands it over: RGBA.
    const rgb = photo.src.data;
    const rgba = new Uint8ClampedArray(500 * 375 * 4).fill(255);
    for (let i = 0, o = 0; i < rgb.length; i += 3, o += 4) rgba.set(rgb.subarray(i, i + 3), o);
    const sources: [string, ResizeSource][] = [
      ['RGBA', {data: rgba, width: 500, height: 375, channels: 4}],
      ['RGB', photo.src],
    ];
    const lines: string[] = [];
    for (const method of RESIZE_METHODS) {
      for (const [label, src] of sources) {
        for (let i = 0; i < 5; i++) resizeRgb(src, 150, 150, method); // warm up the JIT
        const times: number[] = [];
        for (let i = 0; i < 25; i++) {
          const t0 = performance.now();
          resizeRgb(src, 150, 150, method);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const median = times[times.length >> 1];
        lines.push(`  ${method.padEnd(8)} ${label.padEnd(4)} median ${median.toFixed(2)} ms, min ${times[0].toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms`);
        // Loose: a regression to per-pixel allocation or a naive loop would be far slower.
        expect(median, `${method} ${label}`).to.be.below(50);
      }
    }
    console.log(`resizeRgb 500×375 → 150×150, 25 runs each:\n${lines.join('\n')}`);
  });
});
