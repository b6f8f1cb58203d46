import type {Split} from '../../src/shared/protocol/index.ts';

/**
 * What a path inside the zip is for. Pure string logic, no I/O, so the
 * layout rules are easy to see and to test.
 */

/** OS and tool litter that every zip of a folder tends to carry. */
export function isJunkPath(path: string): boolean {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  return (
    parts.some((p) => p === '__MACOSX' || p === '.git' || p === '.ipynb_checkpoints') ||
    name.startsWith('._') ||
    /^(\.ds_store|thumbs\.db|desktop\.ini)$/i.test(name)
  );
}

const SPLIT_ALIASES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  validation: 'validation',
  val: 'validation',
  valid: 'validation',
  test: 'test',
  testing: 'test',
};

export function splitOfFolder(name: string): Split | null {
  return SPLIT_ALIASES[name.toLowerCase()] ?? null;
}

/**
 * Characters a name from a zip must not bring into the page: bidi controls
 * (they reorder the text around them, e.g. "evil\u202Egnp.exe"), C0/C1
 * controls and zero-width characters (they hide what a name really is).
 */
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A name from the zip (path, folder, class) as it may be shown: always render it as text. */
export function displayName(path: string): string {
  return path.replace(UNSAFE_IN_NAMES, '');
}

export interface Placed {
  path: string;
  className: string;
  /** The split its folders name, or null in a class-folders-only zip. */
  split: Split | null;
}

export interface Layout {
  layout: 'splits' | 'classes';
  wrapper: string | null;
  /** Files inside class folders, with their class and split. */
  placed: Placed[];
  /** Files outside any class folder (a README at the top, a stray folder next to train/). */
  outside: string[];
}

/**
 * Reads the layout from the file paths (junk already removed):
 * `train|validation|test/<class>/…` or `<class>/…`, either possibly inside
 * one wrapper folder. A class is the first folder below the split (or
 * below the top); deeper folders belong to it.
 */
export function detectLayout(files: readonly string[]): Layout {
  let wrapper: string | null = null;
  let paths = files.map((f) => f.split('/'));
  const tops = new Set(paths.map((p) => p[0]));
  // One folder holding everything (its own folder entry, a README beside the data may sit in it),
  // with folders inside it, and not itself a split.
  if (tops.size === 1 && paths.some((p) => p.length >= 3) && !splitOfFolder(paths[0]![0]!)) {
    wrapper = paths[0]![0]!;
    paths = paths.map((p) => p.slice(1));
  }
  const hasSplits = paths.some((p) => p.length >= 3 && splitOfFolder(p[0]!) !== null);
  const placed: Placed[] = [];
  const outside: string[] = [];
  paths.forEach((parts, i) => {
    const path = files[i]!;
    if (hasSplits) {
      const split = splitOfFolder(parts[0]!);
      if (split && parts.length >= 3) placed.push({path, className: parts[1]!, split});
      else outside.push(path);
    } else if (parts.length >= 2) {
      placed.push({path, className: parts[0]!, split: null});
    } else {
      outside.push(path);
    }
  });
  return {layout: hasSplits ? 'splits' : 'classes', wrapper, placed, outside};
}
