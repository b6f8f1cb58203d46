/**
 * One object URL per Blob for as long as an element shows it: thumbnails
 * re-render often, and a new URL per render would leak the old ones until
 * the page closes.
 */
export class ObjectUrls {
  readonly #urls = new Map<Blob, string>();

  for(blob: Blob): string {
    let url = this.#urls.get(blob);
    if (!url) {
      url = URL.createObjectURL(blob);
      this.#urls.set(blob, url);
    }
    return url;
  }

  /** Frees the URLs of blobs no longer shown (deleted frames, removed classes). */
  keepOnly(shown: ReadonlySet<Blob>): void {
    for (const [blob, url] of this.#urls) {
      if (shown.has(blob)) continue;
      URL.revokeObjectURL(url);
      this.#urls.delete(blob);
    }
  }

  revokeAll(): void {
    this.keepOnly(new Set());
  }
}
