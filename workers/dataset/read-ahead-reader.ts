import {Reader} from '@zip.js/zip.js';

/**
 * A zip.js reader over a Blob that fetches a window of bytes at a time.
 * Each Blob read is a round trip to the browser's blob store (about a
 * millisecond); a dataset zip is read entry after entry, front to back, so
 * one read serves many small images. Memory stays at one window, whatever
 * the archive's size.
 */
export class ReadAheadBlobReader extends Reader<Blob> {
  #window: {start: number; bytes: Uint8Array} | null = null;

  constructor(
    private readonly blob: Blob,
    private readonly windowBytes = 2 * 2 ** 20,
  ) {
    super(blob);
    this.size = blob.size;
  }

  override async readUint8Array(offset: number, length: number): Promise<Uint8Array> {
    if (length > this.windowBytes) return this.#read(offset, length);
    const window = this.#window;
    if (!window || offset < window.start || offset + length > window.start + window.bytes.length) {
      this.#window = {start: offset, bytes: await this.#read(offset, Math.min(this.windowBytes, this.size - offset))};
    }
    const start = offset - this.#window!.start;
    return this.#window!.bytes.subarray(start, start + length);
  }

  async #read(offset: number, length: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }
}
