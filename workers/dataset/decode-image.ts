/**
 * Decoding with the browser's own decoders, in the worker. EXIF
 * orientation is applied (a phone photo stands upright, as the user sees
 * it); alpha is not premultiplied and colours are not converted, so pixel
 * values are the file's own.
 */
export async function decodeImage(bytes: Uint8Array): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
    imageOrientation: 'from-image',
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
  });
}

/**
 * The image resized to size×size (aspect ratio not kept, as Keras's
 * `target_size` does) as RGB uint8. Grey images come out with R = G = B;
 * alpha is dropped (fully transparent pixels read as black).
 */
export function toRgb(bitmap: ImageBitmap, size: number): Uint8Array {
  const context = canvas2d(size);
  context.imageSmoothingQuality = 'high';
  context.clearRect(0, 0, size, size);
  context.drawImage(bitmap, 0, 0, size, size);
  const rgba = context.getImageData(0, 0, size, size).data;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return rgb;
}

export const THUMBNAIL_SIZE = 96;

/** A square preview cropped from the centre, as WebP (a few kB). */
export async function thumbnail(bitmap: ImageBitmap, size = THUMBNAIL_SIZE): Promise<Blob> {
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d')!;
  const side = Math.min(bitmap.width, bitmap.height);
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
  return canvas.convertToBlob({type: 'image/webp', quality: 0.8});
}

let reusable: OffscreenCanvasRenderingContext2D | null = null;

/** One reusable canvas (of the last size asked for): allocating one per image is slow. */
function canvas2d(size: number): OffscreenCanvasRenderingContext2D {
  if (reusable?.canvas.width !== size || reusable.canvas.height !== size) {
    reusable = new OffscreenCanvas(size, size).getContext('2d', {willReadFrequently: true})!;
  }
  return reusable;
}
