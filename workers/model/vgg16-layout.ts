/**
 * The VGG16 conv base (Keras `include_top=False`): 13 conv layers in five
 * blocks, each block ending in a 2×2 max pool. Names and shapes match Keras,
 * so the same names serve tfjs layers files (`block1_conv1/kernel`) and
 * Keras's .h5 (`block1_conv1/block1_conv1_W_1:0`).
 */
const BLOCKS: ReadonlyArray<{filters: number; convs: number}> = [
  {filters: 64, convs: 2},
  {filters: 128, convs: 2},
  {filters: 256, convs: 3},
  {filters: 512, convs: 3},
  {filters: 512, convs: 3},
];

export interface ConvLayerSpec {
  name: string;
  block: number;
  inChannels: number;
  filters: number;
}

export const VGG16_CONV_LAYERS: readonly ConvLayerSpec[] = (() => {
  const layers: ConvLayerSpec[] = [];
  let inChannels = 3;
  BLOCKS.forEach(({filters, convs}, b) => {
    for (let c = 1; c <= convs; c++) {
      layers.push({name: `block${b + 1}_conv${c}`, block: b + 1, inChannels, filters});
      inChannels = filters;
    }
  });
  return layers;
})();

export const VGG16_OUTPUT_LAYER = 'block5_pool';

/** Five 2×2 pools: 32 is the smallest input that still leaves block5_pool 1×1. */
export const MIN_INPUT_SIZE = 32;

/** Weight name → shape, the contract every weights file must meet. HWIO kernels. */
export function expectedWeightShapes(): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const layer of VGG16_CONV_LAYERS) {
    shapes.set(`${layer.name}/kernel`, [3, 3, layer.inChannels, layer.filters]);
    shapes.set(`${layer.name}/bias`, [layer.filters]);
  }
  return shapes;
}

/** 14,714,688 for the real network. */
export const VGG16_PARAM_COUNT = [...expectedWeightShapes().values()].reduce(
  (sum, shape) => sum + shape.reduce((a, b) => a * b, 1),
  0,
);

/** block5_pool's shape for a square input: five 2×2 pools (floor), 512 channels. */
export function featureShapeFor(inputSize: number): [number, number, number] {
  const side = Math.floor(inputSize / 2 ** BLOCKS.length);
  return [side, side, BLOCKS.at(-1)!.filters];
}
