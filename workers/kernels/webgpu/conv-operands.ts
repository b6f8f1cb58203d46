import * as tf from '@tensorflow/tfjs';
import type {OperandSpec} from './implicit-gemm.ts';

/** An NHWC conv2d's sizes, as tfjs computes them (dilation 1). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

export function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The geometry as the shaders' uniforms (`uniforms.inH` …). */
export function geometryUniforms(g: ConvGeometry): Record<string, number> {
  return {
    inH: g.inH,
    inW: g.inW,
    inC: g.inC,
    outH: g.outH,
    outW: g.outW,
    outC: g.outC,
    fltW: g.filterW,
    strH: g.strideH,
    strW: g.strideW,
    padT: g.padTop,
    padL: g.padLeft,
  };
}

const u = (name: string) => `uniforms.${name}`;
/** Reads element `index` of `buffer`, which holds vec4s when `vector` (index then a multiple of 4). */
const read = (buffer: string, index: string, vector: boolean) => (vector ? `${buffer}[(${index}) / 4]` : `${buffer}[${index}]`);
/** Both 0 ≤ y < h and 0 ≤ x < w, in two unsigned compares. */
const inside = (y: string, h: string, x: string, w: string) => `u32(${y}) < u32(${h}) && u32(${x}) < u32(${w})`;

/**
 * Forward conv2d: C[m = (n, oy, ox)][co] = Σ over k = (ky, kx, ci) of
 * x[n, oy·s + ky − pad, ox·s + kx − pad, ci] · W[ky, kx, ci, co].
 */
export function forwardOperands(g: ConvGeometry): {a: OperandSpec; b: OperandSpec} {
  const vecIn = g.inC % 4 === 0;
  const vecOut = g.outC % 4 === 0;
  return {
    a: {
      vector: vecIn ? 'k' : 'none',
      contiguous: 'k',
      setup: (p, m) => `let ${p}n = ${m} / (${u('outH')} * ${u('outW')});
let ${p}r = ${m} - ${p}n * (${u('outH')} * ${u('outW')});
let ${p}oy = ${p}r / ${u('outW')};
let ${p}y0 = ${p}oy * ${u('strH')} - ${u('padT')};
let ${p}x0 = (${p}r - ${p}oy * ${u('outW')}) * ${u('strW')} - ${u('padL')};
let ${p}base = ${p}n * ${u('inH')};`,
      fetch: (p, k) => `let gk = ${k};
let tap = gk / ${u('inC')};
let ky = tap / ${u('fltW')};
let iy = ${p}y0 + ky;
let ix = ${p}x0 + tap - ky * ${u('fltW')};
if (${inside('iy', u('inH'), 'ix', u('inW'))}) {
  ${p}v = ${read('x', `((${p}base + iy) * ${u('inW')} + ix) * ${u('inC')} + gk - tap * ${u('inC')}`, vecIn)};
}`,
    },
    b: {
      vector: vecOut ? 'outer' : 'none',
      contiguous: 'outer',
      setup: (p, n) => `let ${p}col = ${n};`,
      fetch: (p, k) => `${p}v = ${read('W', `(${k}) * ${u('outC')} + ${p}col`, vecOut)};`,
    },
  };
}

/**
 * conv2d's gradient with respect to its input: C[m = (n, iy, ix)][ci] = Σ
 * over k = (ky, kx, co) of dy[n, oy, ox, co] · W[ky, kx, ci, co], where
 * oy·s = iy + pad − ky (terms whose oy is not a whole row inside dy are 0).
 */
export function inputGradientOperands(g: ConvGeometry): {a: OperandSpec; b: OperandSpec} {
  const vecK = g.outC % 4 === 0;
  const unitStride = g.strideH === 1 && g.strideW === 1;
  const rowOf = unitStride
    ? `let oy = sy;
let ox = sx;
let ok = ${inside('oy', u('outH'), 'ox', u('outW'))};`
    : `let oy = sy / ${u('strH')};
let ox = sx / ${u('strW')};
let ok = sy >= 0 && sx >= 0 && oy * ${u('strH')} == sy && ox * ${u('strW')} == sx && oy < ${u('outH')} && ox < ${u('outW')};`;
  return {
    a: {
      vector: vecK ? 'k' : 'none',
      contiguous: 'k',
      setup: (p, m) => `let ${p}n = ${m} / (${u('inH')} * ${u('inW')});
let ${p}r = ${m} - ${p}n * (${u('inH')} * ${u('inW')});
let ${p}iy = ${p}r / ${u('inW')};
let ${p}y0 = ${p}iy + ${u('padT')};
let ${p}x0 = ${p}r - ${p}iy * ${u('inW')} + ${u('padL')};
let ${p}base = ${p}n * ${u('outH')};`,
      fetch: (p, k) => `let gk = ${k};
let tap = gk / ${u('outC')};
let ky = tap / ${u('fltW')};
let sy = ${p}y0 - ky;
let sx = ${p}x0 - (tap - ky * ${u('fltW')});
${rowOf}
if (ok) {
  ${p}v = ${read('dy', `((${p}base + oy) * ${u('outW')} + ox) * ${u('outC')} + gk - tap * ${u('outC')}`, vecK)};
}`,
    },
    b: {
      vector: vecK ? 'k' : 'none',
      contiguous: 'k',
      setup: (p, n) => `let ${p}ci = ${n};`,
      fetch: (p, k) => `let gk = ${k};
let tap = gk / ${u('outC')};
${p}v = ${read('W', `(tap * ${u('inC')} + ${p}ci) * ${u('outC')} + gk - tap * ${u('outC')}`, vecK)};`,
    },
  };
}

/**
 * conv2d's gradient with respect to its filter: C[m = (ky, kx, ci)][co] = Σ
 * over k = (n, oy, ox) of x[n, oy·s + ky − pad, ox·s + kx − pad, ci] ·
 * dy[n, oy, ox, co]. Both operands are contiguous along their outer index.
 */
export function filterGradientOperands(g: ConvGeometry): {a: OperandSpec; b: OperandSpec} {
  const vecIn = g.inC % 4 === 0;
  const vecOut = g.outC % 4 === 0;
  return {
    a: {
      vector: vecIn ? 'outer' : 'none',
      contiguous: 'outer',
      setup: (p, m) => `let ${p}tap = ${m} / ${u('inC')};
let ${p}ci = ${m} - ${p}tap * ${u('inC')};
let ${p}ky = ${p}tap / ${u('fltW')};
let ${p}dy = ${p}ky - ${u('padT')};
let ${p}dx = ${p}tap - ${p}ky * ${u('fltW')} - ${u('padL')};`,
      fetch: (p, k) => `let gk = ${k};
let n = gk / (${u('outH')} * ${u('outW')});
let r = gk - n * (${u('outH')} * ${u('outW')});
let oy = r / ${u('outW')};
let iy = oy * ${u('strH')} + ${p}dy;
let ix = (r - oy * ${u('outW')}) * ${u('strW')} + ${p}dx;
if (${inside('iy', u('inH'), 'ix', u('inW'))}) {
  ${p}v = ${read('x', `((n * ${u('inH')} + iy) * ${u('inW')} + ix) * ${u('inC')} + ${p}ci`, vecIn)};
}`,
    },
    b: {
      vector: vecOut ? 'outer' : 'none',
      contiguous: 'outer',
      setup: (p, n) => `let ${p}col = ${n};`,
      fetch: (p, k) => `${p}v = ${read('dy', `(${k}) * ${u('outC')} + ${p}col`, vecOut)};`,
    },
  };
}
