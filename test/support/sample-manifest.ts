import type {DatasetManifest} from '../../src/shared/protocol/index.ts';

/** A small two-class manifest (no worker, no zip) for component tests; one skipped file has an HTML-like name. */
export function sampleManifest(): DatasetManifest {
  const blob = new Blob([], {type: 'image/webp'});
  const image = (label: number, split: 'train' | 'validation' | 'test', i: number) => ({
    hash: `${label}${split}${i}`.padEnd(64, '0'),
    path: `${split}/${label}/${i}.jpg`,
    label,
    split,
    format: 'jpeg' as const,
    width: 10,
    height: 10,
    thumbnail: blob,
  });
  return {
    id: 'x',
    name: 'sharks.zip',
    layout: 'splits',
    wrapper: null,
    classes: ['dolphins', 'sharks'],
    images: [image(0, 'train', 1), image(0, 'train', 2), image(1, 'train', 1), image(0, 'validation', 1), image(1, 'validation', 1), image(1, 'test', 1)],
    counts: {train: [2, 1], validation: [1, 1], test: [0, 1]},
    skipped: [{path: 'train/sharks/<img src=x onerror="window.pwned=1">.jpg', reason: 'truncated', message: 'the JPEG file is cut short.'}],
    ignored: {count: 3, examples: ['README.txt']},
    warnings: [{kind: 'missing-test-class', message: 'Class "dolphins" has no test images: its test results will be missing.'}],
    split: null,
    stored: true,
    savedAt: null,
  };
}
