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
 * The decoded image's own pixels, RGBA at its natural size, with no
 * filtering: resizing happens in code (resize.ts), so every browser gives
 * the same bytes. Grey images come out with R = G = B. The canvas stores
 * premultiplied alpha, so fully transparent pixels read as black (PIL
 * would keep their stored colour; datasets rarely have any).
 */
export function rgbaPixels(bitmap: ImageBitmap): {data: Uint8ClampedArray; width: number; height: number; channels: 4} {
  const {width, height} = bitmap;
  const context = canvas2d(width, height);
  context.clearRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0);
  return {data: context.getImageData(0, 0, width, height).data, width, height, channels: 4};
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
/** Larger images get a canvas of their own, so one huge photo does not pin its memory for the session. */
const REUSE_MAX_PIXELS = 4_000_000;

/** A canvas at least width×height; one is reused (grown as needed): allocating one per image is slow. */
function canvas2d(width: number, height: number): OffscreenCanvasRenderingContext2D {
  const make = (w: number, h: number) => new OffscreenCanvas(w, h).getContext('2d', {willReadFrequently: true})!;
  if (width * height > REUSE_MAX_PIXELS) return make(width, height);
  if (!reusable || reusable.canvas.width < width || reusable.canvas.height < height) {
    reusable = make(Math.max(width, reusable?.canvas.width ?? 0), Math.max(height, reusable?.canvas.height ?? 0));
  }
  return reusable;
}
