import {makeImages} from './fixtures.ts';

/** A camera-like frame: a seeded size×size picture (gradients and noise, so every seed gives other bytes), as an ImageBitmap. */
export function frameBitmap(seed: number, size = 48): Promise<ImageBitmap> {
  return createImageBitmap(frameImage(seed, size));
}

/** The same picture as ImageData (RGBA, opaque). */
export function frameImage(seed: number, size = 48): ImageData {
  const rgb = makeImages(1, size, seed);
  const image = new ImageData(size, size);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) image.data.set([rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, 255], j);
  return image;
}
