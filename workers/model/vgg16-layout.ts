/**
 * The VGG16 conv base (Keras `include_top=False`): 13 conv layers in five
 * blocks, each block ending in a 2×2 max pool. Names and shapes match Keras,
 * so the same names serve tfjs layers files (`block1_conv1/kernel`) and
 * Keras's .h5 (`block1_conv1/block1_conv1_W_1:0`).
 *
 * The layout is fixed; the widths (filters per block) are not: the offline
 * demo ships a narrow variant with the same names. Widths are read off the
 * weights, so every file says for itself which variant it is.
 */
import {VGG16_WIDTHS} from '../../src/shared/protocol/index.ts';

const CONVS_PER_BLOCK = [2, 2, 3, 3, 3] as const;

/** Filters per block, block1 to block5. */
export type VggWidths = readonly number[];

export interface ConvLayerSpec {
  name: string;
  block: number;
  inChannels: number;
  filters: number;
}

export function convLayers(widths: VggWidths = VGG16_WIDTHS): ConvLayerSpec[] {
  const layers: ConvLayerSpec[] = [];
  let inChannels = 3;
  CONVS_PER_BLOCK.forEach((convs, b) => {
    const filters = widths[b]!;
    for (let c = 1; c <= convs; c++) {
      layers.push({name: `block${b + 1}_conv${c}`, block: b + 1, inChannels, filters});
      inChannels = filters;
    }
  });
  return layers;
}

export const VGG16_OUTPUT_LAYER = 'block5_pool';

/** Five 2×2 pools: 32 is the smallest input that still leaves block5_pool 1×1. */
export const MIN_INPUT_SIZE = 32;

/** Weight name → shape, the contract every weights file must meet. HWIO kernels. */
export function expectedWeightShapes(widths: VggWidths = VGG16_WIDTHS): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const layer of convLayers(widths)) {
    shapes.set(`${layer.name}/kernel`, [3, 3, layer.inChannels, layer.filters]);
    shapes.set(`${layer.name}/bias`, [layer.filters]);
  }
  return shapes;
}

/** 14,714,688 for the real network. */
export function paramCount(widths: VggWidths = VGG16_WIDTHS): number {
  return [...expectedWeightShapes(widths).values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * The widths a set of weights implies: each block's first kernel's output
 * channels (HWIO), read from weight name → shape. A block whose first
 * kernel is missing or malformed keeps VGG16's width, so the shape check
 * that follows reports the real problem ("missing", "shape …").
 */
export function widthsOf(shapes: ReadonlyMap<string, readonly number[]>): VggWidths {
  return VGG16_WIDTHS.map((width, b) => {
    const kernel = shapes.get(`block${b + 1}_conv1/kernel`);
    const filters = kernel?.length === 4 ? kernel[3]! : 0;
    return Number.isInteger(filters) && filters > 0 ? filters : width;
  });
}

export function describeWidths(widths: VggWidths): string {
  return widths.join('-');
}

export function isVgg16Widths(widths: VggWidths): boolean {
  return describeWidths(widths) === describeWidths(VGG16_WIDTHS);
}

/** block5_pool's shape for a square input: five 2×2 pools (floor), block5's channels. */
export function featureShapeFor(inputSize: number, channels: number): [number, number, number] {
  const side = Math.floor(inputSize / 2 ** CONVS_PER_BLOCK.length);
  return [side, side, channels];
}
