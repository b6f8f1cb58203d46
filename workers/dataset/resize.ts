/**
 * Image resizing that gives the same bytes as Pillow's `Image.resize`, which
 * is what Keras's `load_img` / `flow_from_directory(target_size=…)` feed a
 * model, in every browser (a canvas's `drawImage` filter is the browser's
 * choice). Pure TypeScript: no DOM, no tfjs; runs in a worker.
 *
 * A port of Pillow 9.4's `libImaging/Resample.c` (bilinear, bicubic, box)
 * and of the affine nearest-neighbour scale `_resize` sends NEAREST through
 * (`libImaging/Geometry.c`, ImagingScaleAffine), with its 8-bit fixed-point
 * arithmetic, so results match Pillow's exactly on the test fixtures
 * (test/fixtures/resize, made by scripts/resize-fixtures).
 *
 * Like Keras, the source is taken as RGB first (alpha dropped, as PIL's
 * `convert('RGB')` does: no compositing onto a background) and stretched to
 * the requested size; the aspect ratio is not kept.
 */

import {RESIZE_METHODS, type ResizeMethod} from '../../src/shared/protocol/index.ts';

export interface ResizeSource {
  /** Row-major, `channels` bytes a pixel (RGBA from ImageData, or RGB). */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Resizes `src` to `outWidth`×`outHeight` the way Pillow's
 * `image.convert('RGB').resize((outWidth, outHeight), method)` does.
 * Returns RGB uint8, row-major, `outWidth * outHeight * 3` bytes (a new
 * array, also when the size does not change). `area` is PIL's BOX filter.
 * Throws a RangeError on a size that is not a positive integer, a channel
 * count other than 3 or 4, data of the wrong length, or an unknown method.
 */
export function resizeRgb(src: ResizeSource, outWidth: number, outHeight: number, method: ResizeMethod): Uint8Array {
  const {data, width, height, channels} = src;
  checkSize('source width', width);
  checkSize('source height', height);
  checkSize('outWidth', outWidth);
  checkSize('outHeight', outHeight);
  if (channels !== 3 && channels !== 4) throw new RangeError(`resizeRgb: channels must be 3 or 4, got ${String(channels)}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`resizeRgb: data has ${data.length} bytes; a ${width}×${height} image with ${channels} channels needs ${width * height * channels}`);
  }
  const filter = FILTERS[method];
  if (filter === undefined && method !== 'nearest') {
    throw new RangeError(`resizeRgb: unknown method ${JSON.stringify(method)}; expected one of ${RESIZE_METHODS.join(', ')}`);
  }
  // Image.resize returns a copy when the size is unchanged (for every filter).
  if (outWidth === width && outHeight === height) return toRgb(data, width * height, channels);
  if (filter === undefined) return nearest(data, width, height, channels, outWidth, outHeight);
  return resample(data, width, height, channels, outWidth, outHeight, filter);
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`resizeRgb: ${name} must be a positive integer, got ${String(value)}`);
  }
}

function toRgb(data: Uint8Array | Uint8ClampedArray, pixels: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  if (channels === 3) {
    out.set(data);
    return out;
  }
  for (let i = 0, o = 0, p = 0; i < pixels; i++, p += 4, o += 3) {
    out[o] = data[p];
    out[o + 1] = data[p + 1];
    out[o + 2] = data[p + 2];
  }
  return out;
}

// ---------------------------------------------------------------- NEAREST

/**
 * Pillow's `_resize` sends NEAREST through an affine transform with
 * a = [w/outW, 0, 0, 0, h/outH, 0], which lands in ImagingScaleAffine: the
 * source coordinate starts at scale/2 and grows by adding scale (in double),
 * truncated: about floor((x + 0.5) * scale), but accumulated, as here.
 * Coordinates outside the source (none, for a plain resize) stay 0.
 */
function nearest(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const xScale = width / outWidth;
  const yScale = height / outHeight;
  // Byte offset of each output column's source pixel within a row; -1 outside.
  const columns = new Int32Array(outWidth);
  let xo = xScale * 0.5;
  for (let x = 0; x < outWidth; x++) {
    const xin = xo < 0 ? -1 : Math.trunc(xo);
    columns[x] = xin >= 0 && xin < width ? xin * channels : -1;
    xo += xScale;
  }
  let yo = yScale * 0.5;
  let o = 0;
  const rowBytes = width * channels;
  for (let y = 0; y < outHeight; y++, yo += yScale) {
    const yin = yo < 0 ? -1 : Math.trunc(yo);
    if (yin < 0 || yin >= height) {
      o += outWidth * 3;
      continue;
    }
    const row = yin * rowBytes;
    for (let x = 0; x < outWidth; x++, o += 3) {
      const c = columns[x];
      if (c < 0) continue;
      const p = row + c;
      out[o] = data[p];
      out[o + 1] = data[p + 1];
      out[o + 2] = data[p + 2];
    }
  }
  return out;
}

// ------------------------------------------------ BILINEAR, BICUBIC, BOX

interface Filter {
  weight: (x: number) => number;
  support: number;
}

// libImaging/Resample.c's filters, same expressions (same doubles).
const FILTERS: Partial<Record<ResizeMethod, Filter>> = {
  area: {
    weight: (x) => (x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
    support: 0.5,
  },
  bilinear: {
    weight: (x) => {
      if (x < 0.0) x = -x;
      return x < 1.0 ? 1.0 - x : 0.0;
    },
    support: 1.0,
  },
  bicubic: {
    weight: (x) => {
      const a = -0.5;
      if (x < 0.0) x = -x;
      if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
      if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
      return 0.0;
    },
    support: 2.0,
  },
};

/** 8 bits for the result, 2 for overflow and sign: Pillow's PRECISION_BITS. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coefficients {
  /** Taps per output pixel (stride of `weights`). */
  ksize: number;
  /** Per output pixel: first source index, number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights (sum ≈ 1 << PRECISION_BITS), `ksize` per output pixel. */
  weights: Int32Array;
}

/** Resample.c's precompute_coeffs then normalize_coeffs_8bpc, for the whole source (no box). */
function precomputeCoefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1.0 ? 1.0 : scale;
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1.0 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates; negatives clamp to 0 either way.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0.0 ? k[x] / ww : k[x];
      weights[base + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return {ksize, bounds, weights};
}

/**
 * ImagingResampleInner: the horizontal pass first (only over the source
 * rows the vertical pass will read), then the vertical pass; each pass
 * rounds and clips to uint8, and a pass is skipped when its dimension does
 * not change.
 */
function resample(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  filter: Filter,
): Uint8Array {
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  const vertical = precomputeCoefficients(height, outHeight, filter);
  const firstRow = vertical.bounds[0];
  const lastRow = vertical.bounds[outHeight * 2 - 2] + vertical.bounds[outHeight * 2 - 1];

  if (!needVertical) {
    // Rows are all used (firstRow = 0, lastRow = height when the height is kept).
    return horizontalPass(data, width, channels, firstRow, lastRow - firstRow, outWidth, precomputeCoefficients(width, outWidth, filter));
  }
  if (!needHorizontal) return verticalPass(data, width, channels, 0, outHeight, vertical);
  const temp = horizontalPass(data, width, channels, firstRow, lastRow - firstRow, outWidth, precomputeCoefficients(width, outWidth, filter));
  return verticalPass(temp, outWidth, 3, firstRow, outHeight, vertical);
}

/** Resamples rows `firstRow`…`firstRow + rows - 1` of `data` to `outWidth` wide; RGB out. */
function horizontalPass(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  channels: number,
  firstRow: number,
  rows: number,
  outWidth: number,
  {ksize, bounds, weights}: Coefficients,
): Uint8Array {
  const out = new Uint8Array(outWidth * rows * 3);
  // Writes through a clamped view: an integer store clips to 0…255, as Pillow's clip8.
  const clipped = new Uint8ClampedArray(out.buffer);
  const rowBytes = width * channels;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const row = (y + firstRow) * rowBytes;
    for (let xx = 0; xx < outWidth; xx++, o += 3) {
      const taps = bounds[xx * 2 + 1];
      const kb = xx * ksize;
      let p = row + bounds[xx * 2] * channels;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let x = 0; x < taps; x++, p += channels) {
        const k = weights[kb + x];
        s0 += data[p] * k;
        s1 += data[p + 1] * k;
        s2 += data[p + 2] * k;
      }
      clipped[o] = s0 >> PRECISION_BITS;
      clipped[o + 1] = s1 >> PRECISION_BITS;
      clipped[o + 2] = s2 >> PRECISION_BITS;
    }
  }
  return out;
}

/**
 * Resamples the columns of `data` (`width` wide, `channels` a pixel, whose
 * row 0 is source row `rowOffset`) to `outHeight` rows; RGB out. Sums whole
 * rows into an accumulator (sequential reads); the sums are exact integers,
 * so the order does not change the result.
 */
function verticalPass(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  channels: number,
  rowOffset: number,
  outHeight: number,
  {ksize, bounds, weights}: Coefficients,
): Uint8Array {
  const rowOut = width * 3;
  const out = new Uint8Array(rowOut * outHeight);
  const clipped = new Uint8ClampedArray(out.buffer);
  const acc = new Float64Array(rowOut);
  const rowBytes = width * channels;
  for (let yy = 0; yy < outHeight; yy++) {
    acc.fill(HALF);
    const first = bounds[yy * 2] - rowOffset;
    const taps = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    for (let y = 0; y < taps; y++) {
      const k = weights[kb + y];
      let p = (first + y) * rowBytes;
      if (channels === 3) {
        for (let i = 0; i < rowOut; i++, p++) acc[i] += data[p] * k;
      } else {
        for (let i = 0; i < rowOut; i += 3, p += channels) {
          acc[i] += data[p] * k;
          acc[i + 1] += data[p + 1] * k;
          acc[i + 2] += data[p + 2] * k;
        }
      }
    }
    const o = yy * rowOut;
    for (let i = 0; i < rowOut; i++) clipped[o + i] = acc[i] >> PRECISION_BITS;
  }
  return out;
}
