import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {DatasetImage, DatasetManifest, ImportOptions, SplitFractions} from '../../src/shared/protocol/index.ts';
import {sha256Hex} from '../runtime/sha256.ts';
import {assertUsableDataset, countImages, datasetWarnings} from './dataset-checks.ts';
import type {ArchiveScan} from './scan-archive.ts';
import {DEFAULT_FRACTIONS, DEFAULT_SPLIT_SEED, stratifiedSplit} from './stratified-split.ts';

export interface AssembledDataset {
  manifest: Omit<DatasetManifest, 'stored' | 'storeProblem' | 'savedAt'>;
  /** Zip entry names, by image index: where to read each image again. */
  sources: string[];
}

/**
 * Turns a scan into the dataset: labels from the sorted class names (as
 * Keras's flow_from_directory numbers them), splits from the folders or
 * from the seeded stratified split, then the checks and warnings. Cheap:
 * changing the split fractions re-runs only this.
 */
export async function assembleManifest(scan: ArchiveScan, options: ImportOptions = {}): Promise<AssembledDataset> {
  if (scan.images.length === 0) {
    const why = scan.skipped.length ? ` ${scan.skipped.length} file(s) looked like images but could not be used; see the list.` : '';
    throw new NamedError(
      ErrorName.NoImages,
      `No usable image was found in ${scan.name}.${why} Expected train/, validation/ and test/ folders with one folder per class, or just one folder per class.`,
      {skipped: scan.skipped, ignored: scan.ignored},
    );
  }
  const classes = scan.classNames;
  const labelOf = new Map(classes.map((name, label) => [name, label]));
  const fractions: SplitFractions = options.fractions ?? DEFAULT_FRACTIONS;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const drawn =
    scan.layout === 'classes'
      ? stratifiedSplit(scan.images.map((i) => ({label: labelOf.get(i.className)!, key: i.hash})), fractions, seed)
      : null;
  const images: DatasetImage[] = scan.images.map((image, index) => ({
    hash: image.hash,
    path: image.path,
    label: labelOf.get(image.className)!,
    split: drawn ? drawn[index]! : image.split!,
    format: image.format,
    width: image.width,
    height: image.height,
    thumbnail: image.thumbnail,
  }));
  const counts = countImages(images, classes.length);
  assertUsableDataset(classes, counts, scan.layout);
  const identity = images.map((i) => `${i.hash}:${i.label}:${i.split}`).sort().join('\n');
  return {
    manifest: {
      id: await sha256Hex(new TextEncoder().encode(`${classes.join('\n')}\n\n${identity}`)),
      name: scan.name,
      layout: scan.layout,
      wrapper: scan.wrapper,
      classes,
      images,
      counts,
      skipped: scan.skipped,
      ignored: scan.ignored,
      warnings: datasetWarnings(classes, images, counts, scan.skipped),
      split: drawn ? {seed, fractions} : null,
    },
    sources: scan.images.map((i) => i.source),
  };
}
