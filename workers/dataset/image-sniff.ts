import type {ImageFormat} from '../../src/shared/protocol/index.ts';

/**
 * Identifies an image by its bytes, never by its extension, and reads its
 * size from the header so oversized images are refused before decoding.
 */
export type Sniffed =
  | {kind: 'image'; format: ImageFormat; width: number; height: number}
  /** Recognisably an image, but not one we decode (SVG, HEIC, AVIF, TIFF, …). */
  | {kind: 'unsupported'; format: string}
  /** An image format whose header is cut short or garbled. */
  | {kind: 'broken'; format: ImageFormat; message: string}
  | {kind: 'unknown'};

const ascii = (b: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...b.subarray(start, start + length));

export function sniffImage(b: Uint8Array): Sniffed {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') {
    if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return {kind: 'broken', format: 'png', message: 'no IHDR header'};
    return {kind: 'image', format: 'png', width: view.getUint32(16), height: view.getUint32(20)};
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return sniffJpeg(b, view);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    if (b.length < 10) return {kind: 'broken', format: 'gif', message: 'header cut short'};
    return {kind: 'image', format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true)};
  }
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') {
    if (b.length < 26) return {kind: 'broken', format: 'bmp', message: 'header cut short'};
    return {kind: 'image', format: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true))};
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return sniffWebp(b, view);
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand)) return {kind: 'unsupported', format: 'HEIC/HEIF'};
    if (/^avi[fs]$/.test(brand)) return {kind: 'unsupported', format: 'AVIF'};
  }
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return {kind: 'unsupported', format: 'TIFF'};
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return {kind: 'unsupported', format: 'ICO'};
  const head = new TextDecoder().decode(b.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return {kind: 'unsupported', format: 'SVG'};
  return {kind: 'unknown'};
}

function sniffJpeg(b: Uint8Array, view: DataView): Sniffed {
  // Walk the marker segments to the first SOFn (frame header), which holds the size.
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return {kind: 'broken', format: 'jpeg', message: 'garbled marker segments'};
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return {kind: 'image', format: 'jpeg', width: view.getUint16(i + 7), height: view.getUint16(i + 5)};
    i += 2 + view.getUint16(i + 2);
  }
  return {kind: 'broken', format: 'jpeg', message: 'no frame header (SOF) found'};
}

function sniffWebp(b: Uint8Array, view: DataView): Sniffed {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30) {
    return {kind: 'image', format: 'webp', width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff};
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = view.getUint32(21, true);
    return {kind: 'image', format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1};
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    const w = 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16));
    const h = 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16));
    return {kind: 'image', format: 'webp', width: w, height: h};
  }
  return {kind: 'broken', format: 'webp', message: 'header cut short'};
}

/**
 * Whether the file reaches its format's end marker. Decoders often
 * "succeed" on half a file (the rest grey), so a cut-off upload would
 * otherwise train on garbage. Data after the marker is allowed: phones
 * append videos to JPEGs ("motion photos"), tools append metadata.
 */
export function isComplete(format: ImageFormat, b: Uint8Array): boolean {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (format) {
    case 'jpeg': {
      // The end-of-image marker after the scan data. Searching only past the first
      // start-of-scan skips the EOI of an EXIF thumbnail, which sits in a header segment.
      const scan = startOfScan(b, view);
      return scan >= 0 && indexOf(b, [0xff, 0xd9], scan) >= 0;
    }
    case 'png':
      return indexOf(b, [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82], 8) >= 0; // IEND and its CRC
    case 'gif':
      return lastNonPadding(b) === 0x3b; // the trailer byte, then at most zero padding
    case 'webp':
      return b.length >= 8 + view.getUint32(4, true);
    case 'bmp': {
      const declared = view.getUint32(2, true);
      return declared === 0 || b.length >= declared;
    }
  }
}

/** Offset of the first SOS segment, walking the marker segments; -1 if there is none. */
function startOfScan(b: Uint8Array, view: DataView): number {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return -1;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) return i;
    i += 2 + view.getUint16(i + 2);
  }
  return -1;
}

function lastNonPadding(b: Uint8Array): number | undefined {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0x00) end--;
  return b[end - 1];
}

function indexOf(b: Uint8Array, needle: number[], from: number): number {
  const first = needle[0]!;
  for (let i = Math.max(0, from); i <= b.length - needle.length; i++) {
    if (b[i] === first && needle.every((n, k) => b[i + k] === n)) return i;
  }
  return -1;
}
