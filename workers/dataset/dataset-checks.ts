import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {SPLITS, type DatasetImage, type DatasetWarning, type SkippedFile, type Split} from '../../src/shared/protocol/index.ts';

export interface DatasetProblem {
  message: string;
  fix: string;
}

/** counts[split][label] of the usable images. */
export function countImages(images: readonly Pick<DatasetImage, 'label' | 'split'>[], classCount: number): Record<Split, number[]> {
  const counts = Object.fromEntries(SPLITS.map((s) => [s, new Array<number>(classCount).fill(0)])) as Record<Split, number[]>;
  for (const image of images) counts[image.split][image.label]!++;
  return counts;
}

/**
 * Throws DatasetInvalidError when the images cannot train a classifier:
 * fewer than two classes, a class without images, or a class missing from
 * train or validation. Every problem comes with what to fix.
 */
export function assertUsableDataset(classes: readonly string[], counts: Record<Split, number[]>, layout: 'splits' | 'classes'): void {
  const problems: DatasetProblem[] = [];
  const totals = classes.map((_, label) => SPLITS.reduce((sum, s) => sum + counts[s][label]!, 0));
  if (classes.length < 2) {
    problems.push({
      message: classes.length === 1 ? `Only one class was found ("${classes[0]}").` : 'No class folders were found.',
      fix: 'A classifier needs at least two classes: put each class’s images in a folder named after the class.',
    });
  }
  classes.forEach((name, label) => {
    if (totals[label] === 0) {
      problems.push({
        message: `Class "${name}" has no usable images.`,
        fix: `Add images to the "${name}" folder, or remove it (see the skipped files for why its files were left out).`,
      });
      return;
    }
    for (const split of ['train', 'validation'] as const) {
      if (counts[split][label] === 0) {
        problems.push({
          message: `Class "${name}" has no images in ${split}.`,
          fix:
            layout === 'splits'
              ? `Add "${name}" images to ${split}/${name}/: every class needs images in train/ and validation/.`
              : `"${name}" has only ${totals[label]} image(s), too few to split: add images, or raise the ${split} fraction.`,
        });
      }
    }
  });
  if (problems.length > 0) {
    throw new NamedError(
      ErrorName.DatasetInvalid,
      problems.map((p) => `${p.message} ${p.fix}`).join('\n'),
      {problems},
    );
  }
}

/** What is worth knowing but does not stop training. */
export function datasetWarnings(
  classes: readonly string[],
  images: readonly DatasetImage[],
  counts: Record<Split, number[]>,
  skipped: readonly SkippedFile[],
): DatasetWarning[] {
  const warnings: DatasetWarning[] = [];
  const train = counts.train;
  const most = Math.max(...train);
  const fewest = Math.min(...train);
  if (fewest > 0 && most / fewest >= 3) {
    warnings.push({
      kind: 'imbalance',
      message: `Classes are imbalanced in train: "${classes[train.indexOf(most)]}" has ${most} images, "${classes[train.indexOf(fewest)]}" ${fewest}. Accuracy alone will flatter the model.`,
    });
  }
  classes.forEach((name, label) => {
    if (counts.test[label] === 0) {
      warnings.push({kind: 'missing-test-class', message: `Class "${name}" has no test images: its test results will be missing.`});
    }
  });
  const byHash = new Map<string, DatasetImage[]>();
  for (const image of images) byHash.set(image.hash, [...(byHash.get(image.hash) ?? []), image]);
  for (const [hash, same] of byHash) {
    if (new Set(same.map((i) => i.split)).size > 1) {
      warnings.push({
        kind: 'duplicate-across-splits',
        hash,
        paths: same.map((i) => i.path),
        message: `The same image is in ${[...new Set(same.map((i) => i.split))].join(' and ')}: ${same.map((i) => i.path).join(', ')}. Validation and test scores will be optimistic.`,
      });
    }
  }
  if (skipped.length > 0) {
    warnings.push({kind: 'skipped-files', message: `${skipped.length} file(s) were skipped; see the list for why.`});
  }
  return warnings;
}
