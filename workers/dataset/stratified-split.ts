import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {mulberry32, shuffleInPlace} from '../../src/shared/random.ts';
import type {Split, SplitFractions} from '../../src/shared/protocol/index.ts';

export const DEFAULT_FRACTIONS: SplitFractions = {train: 0.7, validation: 0.15, test: 0.15};
export const DEFAULT_SPLIT_SEED = 42;

/**
 * Assigns each item a split, class by class, so every split keeps the
 * class proportions. Items are ordered by a stable key (their content hash)
 * before the seeded shuffle, so the result depends only on the images, the
 * seed and the fractions — not on the order of entries in the zip.
 */
export function stratifiedSplit(
  items: ReadonlyArray<{label: number; key: string}>,
  fractions: SplitFractions,
  seed: number,
): Split[] {
  const total = fractions.train + fractions.validation + fractions.test;
  if (!(total > 0) || Object.values(fractions).some((f) => f < 0 || !Number.isFinite(f))) {
    throw new NamedError(
      ErrorName.InvalidRequest,
      `Split fractions must be non-negative numbers that add up to more than 0; got ${JSON.stringify(fractions)}.`,
    );
  }
  const byLabel = new Map<number, number[]>();
  items.forEach((item, i) => {
    const list = byLabel.get(item.label) ?? [];
    list.push(i);
    byLabel.set(item.label, list);
  });
  const out: Split[] = new Array(items.length);
  for (const [label, indices] of [...byLabel].sort((a, b) => a[0] - b[0])) {
    indices.sort((a, b) => (items[a]!.key < items[b]!.key ? -1 : items[a]!.key > items[b]!.key ? 1 : a - b));
    shuffleInPlace(indices, mulberry32(seed * 1000003 + label));
    const n = indices.length;
    const nValidation = Math.round((n * fractions.validation) / total);
    const nTest = Math.round((n * fractions.test) / total);
    indices.forEach((index, k) => {
      out[index] = k < nValidation ? 'validation' : k < nValidation + nTest ? 'test' : 'train';
    });
  }
  return out;
}
