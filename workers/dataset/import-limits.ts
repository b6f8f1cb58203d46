import type {ImportLimits} from '../../src/shared/protocol/index.ts';

/**
 * Safety caps for imports. A dropped zip is untrusted input: these stop zip
 * bombs and absurd files before they exhaust memory. Tests pass smaller ones.
 */
export const DEFAULT_LIMITS: ImportLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 8 * 2 ** 30,
  // Four entries are read at once: these bound the worst case near 4 × (64 MiB + a 200 MiB bitmap).
  maxEntryBytes: 64 * 2 ** 20,
  maxCompressionRatio: 500,
  maxImageSide: 16_384,
  maxImagePixels: 50_000_000,
};
