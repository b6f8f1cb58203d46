import {formatBytes} from '../../src/shared/format.ts';
import type {ImageFormat, ImportLimits, SkipReason} from '../../src/shared/protocol/index.ts';
import {decodeImage} from './decode-image.ts';
import {isComplete, sniffImage} from './image-sniff.ts';

/** Names that say "image" (used only to tell a broken image from a file that is no image at all). */
export const IMAGE_EXTENSION = /\.(jpe?g|jfif|png|webp|gif|bmp|dib|svg|heic|heif|avif|tiff?|ico)$/i;

/** An image that cannot be used, and why. */
export interface Skip {
  kind: 'skip';
  reason: SkipReason;
  message: string;
}

export type Inspected =
  /** A usable image, decoded (the caller closes the bitmap). */
  | {kind: 'image'; format: ImageFormat; bitmap: ImageBitmap}
  | Skip
  | {kind: 'not-an-image'};

/** A file too large to read at all, before its bytes are read; null when its size is within the limit. */
export function oversized(bytes: number, limits: Pick<ImportLimits, 'maxEntryBytes'>): Skip | null {
  if (bytes <= limits.maxEntryBytes) return null;
  return {kind: 'skip', reason: 'too-large', message: `${formatBytes(bytes)} is over the ${formatBytes(limits.maxEntryBytes)} limit for one file.`};
}

/**
 * Whether a file's bytes are an image the app can use, by its content
 * (never its name): recognised, within the size limits, complete, and
 * decodable by the browser. `looksLikeImage` (its name says image) turns
 * unrecognisable content into a skipped image rather than a non-image.
 */
export async function inspectImage(bytes: Uint8Array, limits: ImportLimits, looksLikeImage: boolean): Promise<Inspected> {
  if (bytes.length === 0) {
    return looksLikeImage ? {kind: 'skip', reason: 'empty', message: 'the file is empty (0 bytes).'} : {kind: 'not-an-image'};
  }
  const sniffed = sniffImage(bytes);
  switch (sniffed.kind) {
    case 'unknown':
      return looksLikeImage
        ? {kind: 'skip', reason: 'undecodable', message: 'its content is not a PNG, JPEG, WebP, GIF or BMP image.'}
        : {kind: 'not-an-image'};
    case 'unsupported':
      return {kind: 'skip', reason: 'unsupported-format', message: `${sniffed.format} images are not supported: convert to JPEG or PNG.`};
    case 'broken':
      return {kind: 'skip', reason: 'truncated', message: `a ${sniffed.format.toUpperCase()} file with a broken header (${sniffed.message}).`};
  }
  const {format, width, height} = sniffed;
  if (width === 0 || height === 0) {
    return {kind: 'skip', reason: 'undecodable', message: `its header says ${width}×${height} pixels.`};
  }
  if (Math.max(width, height) > limits.maxImageSide || width * height > limits.maxImagePixels) {
    return {
      kind: 'skip',
      reason: 'too-large',
      message: `${width}×${height} pixels is over the limit (${limits.maxImageSide} per side, ${(limits.maxImagePixels / 1e6).toFixed(0)} megapixels).`,
    };
  }
  if (!isComplete(format, bytes)) {
    return {kind: 'skip', reason: 'truncated', message: `the ${format.toUpperCase()} file is cut short (its end marker is missing).`};
  }
  try {
    return {kind: 'image', format, bitmap: await decodeImage(bytes)};
  } catch (err) {
    return {kind: 'skip', reason: 'undecodable', message: `the browser could not decode it (${(err as Error).message}).`};
  }
}
