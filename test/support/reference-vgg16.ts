import {convLayers, widthsOf} from '../../workers/model/vgg16-layout.ts';
import type {WeightsBundle} from '../../workers/model/weights-bundle.ts';

/**
 * VGG16's conv base in plain loops, independent of tfjs: 3×3 'same'
 * convolutions (zero padding) with HWIO kernels, ReLU, 2×2 max pooling
 * after each block. For checking the real model on a small input.
 */
export function referenceVgg16(image: Float32Array, size: number, bundle: WeightsBundle): {values: Float32Array; size: number} {
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of bundle.specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    weights.set(spec.name, new Float32Array(bundle.data, offset * 4, n));
    offset += n;
  }
  const layers = convLayers(widthsOf(new Map(bundle.specs.map((spec) => [spec.name, spec.shape]))));
  let x = image;
  let side = size;
  let block = 1;
  for (const layer of layers) {
    if (layer.block !== block) {
      ({x, side} = maxPool(x, side, layer.inChannels));
      block = layer.block;
    }
    x = conv3x3Relu(x, side, layer.inChannels, layer.filters, weights.get(`${layer.name}/kernel`)!, weights.get(`${layer.name}/bias`)!);
  }
  ({x, side} = maxPool(x, side, layers.at(-1)!.filters));
  return {values: x, size: side};
}

function conv3x3Relu(x: Float32Array, side: number, cin: number, cout: number, kernel: Float32Array, bias: Float32Array): Float32Array {
  const out = new Float32Array(side * side * cout);
  const acc = new Float64Array(cout);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      acc.set(bias);
      for (let kr = 0; kr < 3; kr++) {
        const rr = r + kr - 1;
        if (rr < 0 || rr >= side) continue;
        for (let kc = 0; kc < 3; kc++) {
          const cc = c + kc - 1;
          if (cc < 0 || cc >= side) continue;
          const pixel = (rr * side + cc) * cin;
          const k = (kr * 3 + kc) * cin * cout;
          for (let i = 0; i < cin; i++) {
            const v = x[pixel + i]!;
            if (v === 0) continue;
            const row = k + i * cout;
            for (let o = 0; o < cout; o++) acc[o]! += v * kernel[row + o]!;
          }
        }
      }
      const base = (r * side + c) * cout;
      for (let o = 0; o < cout; o++) out[base + o] = Math.max(0, acc[o]!);
    }
  }
  return out;
}

function maxPool(x: Float32Array, side: number, channels: number): {x: Float32Array; side: number} {
  const half = Math.floor(side / 2);
  const out = new Float32Array(half * half * channels);
  for (let r = 0; r < half; r++) {
    for (let c = 0; c < half; c++) {
      for (let ch = 0; ch < channels; ch++) {
        let m = -Infinity;
        for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) m = Math.max(m, x[((2 * r + dr) * side + 2 * c + dc) * channels + ch]!);
        out[(r * half + c) * channels + ch] = m;
      }
    }
  }
  return {x: out, side: half};
}
