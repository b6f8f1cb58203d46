import {thumbnail} from '../dataset/decode-image.ts';

export interface EncodedFrame {
  /** Lossless: decoded again, it gives the bitmap's own pixels, so the dataset trains on what the camera saw. */
  png: Blob;
  /** The dataset import's own thumbnail (WebP, centre-cropped), for the page. */
  thumbnail: Blob;
  width: number;
  height: number;
}

/**
 * A camera frame as it is kept until it becomes part of a dataset: a PNG of
 * its pixels as the worker reads them (drawn on a canvas, as `rgbaPixels`
 * does for every image it resizes) and a small preview. The caller closes
 * the bitmap.
 */
export async function encodeFrame(bitmap: ImageBitmap): Promise<EncodedFrame> {
  const {width, height} = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  const [png, preview] = await Promise.all([canvas.convertToBlob({type: 'image/png'}), thumbnail(bitmap)]);
  return {png, thumbnail: preview, width, height};
}
