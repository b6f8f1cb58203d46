/**
 * How many bytes a value takes in IndexedDB, as the storage list shows it:
 * binary parts exactly (an ArrayBuffer's or typed array's length, a Blob's
 * size, which is what makes up nearly all of every stored item), text by its
 * length, numbers as 8 bytes, booleans as 1, and objects as the sum of their
 * keys and values. The browser's own overhead (structured-clone tags, its
 * indexes, compression) is not counted: `navigator.storage.estimate()` gives
 * the site's real total.
 */
export function storedBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Blob) return value.size;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'object':
      if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + storedBytes(v), 0);
      return Object.entries(value).reduce((sum, [key, v]) => sum + key.length + storedBytes(v), 0);
    default:
      return 0;
  }
}
