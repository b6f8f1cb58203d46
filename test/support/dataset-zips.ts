import {BlobWriter, Uint8ArrayReader, ZipWriter} from '@zip.js/zip.js';
import {mulberry32} from '../../src/shared/random.ts';

/**
 * Dataset zips made in the test, with real images encoded by the browser
 * (PNG, JPEG, WebP) or by hand (BMP, GIF). Nothing is downloaded.
 */

export interface PictureOptions {
  width?: number;
  height?: number;
  seed?: number;
  grey?: boolean;
  /** Half the image transparent. */
  alpha?: boolean;
}

/** A picture with a seeded colour gradient, so each seed gives different bytes and hash. */
function paint({width = 40, height = 30, seed = 1, grey = false, alpha = false}: PictureOptions): ImageData {
  const random = mulberry32(seed);
  const [r0, g0, b0] = [random() * 255, random() * 255, random() * 255];
  const data = new ImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const r = (r0 + x * 5) % 256;
      const g = grey ? r : (g0 + y * 7) % 256;
      const b = grey ? r : (b0 + x * y) % 256;
      data.data.set([r, g, b, alpha && x < width / 2 ? 0 : 255], i);
    }
  }
  return data;
}

export async function encodePicture(type: 'png' | 'jpeg' | 'webp', options: PictureOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const image = paint(options);
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  const blob = await canvas.convertToBlob({type: `image/${type}`, ...(type === 'png' ? {} : {quality: 0.95})});
  return new Uint8Array(await blob.arrayBuffer());
}

/** A 24-bit BMP written by hand (bottom-up rows, padded to 4 bytes). */
export function encodeBmp(options: PictureOptions = {}): Uint8Array<ArrayBuffer> {
  const image = paint(options);
  const {width, height} = image;
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, size, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, rowBytes * height, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      bytes.set([image.data[i + 2]!, image.data[i + 1]!, image.data[i]!], row + x * 3);
    }
  }
  return bytes;
}

/** The classic 1×1 GIF89a (one white pixel). */
export function tinyGif(): Uint8Array {
  return Uint8Array.from(
    atob('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='),
    (c) => c.charCodeAt(0),
  );
}

export type ZipContent = Uint8Array | string | null;

/** n distinct small BMPs per class, as prefix/<class>/<class>_<i>.bmp. */
export function classFolders(prefix: string, classes: string[], n: number, seed = 1): Record<string, ZipContent> {
  const files: Record<string, ZipContent> = {};
  classes.forEach((name, c) => {
    for (let i = 0; i < n; i++) files[`${prefix}${name}/${name}_${i}.bmp`] = encodeBmp({width: 12, height: 9, seed: seed * 1000 + c * 100 + i});
  });
  return files;
}

/** A zip of these paths (null: a folder entry). */
export async function makeZip(
  files: Record<string, ZipContent>,
  options: {password?: string; level?: number; dataDescriptor?: boolean} = {},
): Promise<Blob> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {
    useWebWorkers: false,
    level: options.level ?? 6,
    dataDescriptor: options.dataDescriptor ?? true,
    ...(options.password ? {password: options.password} : {}),
  });
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await writer.add(path, undefined, {directory: true});
    else await writer.add(path, new Uint8ArrayReader(typeof content === 'string' ? new TextEncoder().encode(content) : content));
  }
  return writer.close();
}

export function asFile(blob: Blob, name = 'dataset.zip'): File {
  return new File([blob], name, {type: 'application/zip'});
}

/** Central directory records of a zip: [record offset, local header offset field]. */
function centralRecords(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const records: number[] = [];
  for (let i = 0; i < count; i++) {
    records.push(offset);
    offset += 46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return records;
}

/** Points the second entry's central record at the first entry's data, as overlap-based zip bombs do. */
export async function overlapSecondEntry(zip: Blob): Promise<Blob> {
  const bytes = new Uint8Array(await zip.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const [first, second] = centralRecords(bytes);
  view.setUint32(second! + 42, view.getUint32(first! + 42, true), true);
  return new Blob([bytes]);
}

/**
 * Makes the first entry declare fewer uncompressed bytes than it holds, in
 * its central record and its local header alike (so the two still agree):
 * make the zip with `dataDescriptor: false`, so no third copy of the size exists.
 */
export async function understateFirstEntry(zip: Blob, declared: number): Promise<Blob> {
  const bytes = new Uint8Array(await zip.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const [first] = centralRecords(bytes);
  view.setUint32(first! + 24, declared, true);
  view.setUint32(view.getUint32(first! + 42, true) + 22, declared, true);
  return new Blob([bytes]);
}
