import type {FileEntry} from '@zip.js/zip.js';
import {ErrorName, hasErrorName} from '../../src/shared/errors.ts';
import type {ImageFormat, ImportLimits, SkippedFile, Split} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import {sha256Hex} from '../runtime/sha256.ts';
import {detectLayout, displayName, isJunkPath} from './archive-paths.ts';
import {thumbnail} from './decode-image.ts';
import {IMAGE_EXTENSION, inspectImage, oversized, type Skip} from './inspect-image.ts';
import {openArchive, readEntry} from './zip-archive.ts';

/** One usable image found in the zip, before labels and splits are assigned. */
export interface ScannedImage {
  /** The entry's name in the zip, to read it again later. */
  source: string;
  path: string;
  className: string;
  /** From the zip's folders; null in a class-folders-only zip. */
  split: Split | null;
  hash: string;
  format: ImageFormat;
  width: number;
  height: number;
  thumbnail: Blob;
}

/** Everything learnt from one pass over the zip; splits can be re-made from it without reading the zip again. */
export interface ArchiveScan {
  name: string;
  layout: 'splits' | 'classes';
  wrapper: string | null;
  /** Every class folder, including ones none of whose files were usable. */
  classNames: string[];
  images: ScannedImage[];
  skipped: SkippedFile[];
  ignored: {count: number; examples: string[]};
}

export interface ScanOptions {
  limits: ImportLimits;
  signal?: AbortSignal;
  /** After each entry: entries done, entries in all, usable images so far. */
  onEntry?: (done: number, total: number, images: number) => void;
}

/**
 * Reads the zip a few entries at a time (memory stays bounded by the
 * largest entries, whatever the archive's size): sorts out junk and non-images,
 * checks and decodes each image, hashes it and makes its thumbnail.
 */
export async function scanArchive(file: Blob, name: string, options: ScanOptions): Promise<ArchiveScan> {
  const {limits, signal, onEntry} = options;
  const archive = await openArchive(file, limits, signal);
  try {
    const ignoredExamples: string[] = [];
    let ignoredCount = 0;
    const ignore = (path: string): void => {
      ignoredCount++;
      if (ignoredExamples.length < 10) ignoredExamples.push(displayName(path));
    };

    const candidates: FileEntry[] = [];
    for (const entry of archive.files) (isJunkPath(entry.filename) ? ignore(entry.filename) : candidates.push(entry));
    const folders = archive.directories.filter((d) => !isJunkPath(d));
    // Folder entries take part as "folder/." so an empty class folder still counts as a class.
    const layout = detectLayout([...candidates.map((e) => e.filename), ...folders.map((d) => `${d}/.`)]);
    const placedByPath = new Map(layout.placed.map((p) => [p.path, p]));
    layout.outside.filter((p) => !p.endsWith('/.')).forEach(ignore);

    const images: ScannedImage[] = [];
    const skipped: SkippedFile[] = [];
    /** Class folders holding something image-like (usable or not), and folders with only non-images. */
    const classesWithImages = new Set<string>();
    const classesWithOtherFiles = new Set<string>();
    const classFolders = new Set(layout.placed.map((p) => p.className));

    const toScan = candidates.filter((e) => placedByPath.has(e.filename));
    const outcomes = await inspectAll(toScan, limits, signal, onEntry);
    outcomes.forEach((outcome, index) => {
      const entry = toScan[index]!;
      const place = placedByPath.get(entry.filename)!;
      const path = displayName(entry.filename);
      if (outcome.kind === 'image') {
        images.push({source: entry.filename, path, className: displayName(place.className), split: place.split, ...outcome.image});
        classesWithImages.add(place.className);
      } else if (outcome.kind === 'skip') {
        skipped.push({path, reason: outcome.reason, message: outcome.message});
        classesWithImages.add(place.className);
      } else {
        ignore(entry.filename);
        classesWithOtherFiles.add(place.className);
      }
    });
    // A folder whose only files are non-images (docs/, notes/) is not a class; an empty folder is one with no images.
    const classNames = [...classFolders]
      .filter((c) => classesWithImages.has(c) || !classesWithOtherFiles.has(c))
      .map(displayName)
      .sort();
    return {
      name,
      layout: layout.layout,
      wrapper: layout.wrapper === null ? null : displayName(layout.wrapper),
      classNames,
      images,
      skipped,
      ignored: {count: ignoredCount, examples: ignoredExamples},
    };
  } finally {
    await archive.close().catch(() => {});
  }
}

/**
 * How many entries are in flight at once. Each image waits on the browser
 * (decode, WebP encode, digest) more than on this thread; a few at a time
 * overlap those waits while memory stays bounded by a few entries.
 */
const IN_FLIGHT = 4;

async function inspectAll(
  entries: readonly FileEntry[],
  limits: ImportLimits,
  signal: AbortSignal | undefined,
  onEntry: ScanOptions['onEntry'],
): Promise<ScanOutcome[]> {
  const outcomes: ScanOutcome[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  let images = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (next < entries.length && !failed) {
      const index = next++;
      throwIfCancelled(signal);
      const entry = entries[index]!;
      try {
        outcomes[index] = await inspectEntry(entry, limits, IMAGE_EXTENSION.test(entry.filename), signal);
      } catch (err) {
        failed = true;
        throw err;
      }
      if (outcomes[index]!.kind === 'image') images++;
      onEntry?.(++done, entries.length, images);
    }
  };
  // Wait for every lane to stop before reporting a failure: none may go on reading a closed archive.
  const settled = await Promise.allSettled(Array.from({length: IN_FLIGHT}, lane));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes;
}

type ScanOutcome =
  | {kind: 'image'; image: Omit<ScannedImage, 'source' | 'path' | 'className' | 'split'>}
  | Skip
  | {kind: 'not-an-image'};

async function inspectEntry(entry: FileEntry, limits: ImportLimits, looksLikeImage: boolean, signal?: AbortSignal): Promise<ScanOutcome> {
  const tooLarge = oversized(entry.uncompressedSize, limits);
  if (tooLarge) return tooLarge;
  let bytes: Uint8Array;
  try {
    bytes = await readEntry(entry, signal);
  } catch (err) {
    throwIfCancelled(signal); // a cancel (or a stop) that broke the read off is not a damaged file
    if (hasErrorName(err, ErrorName.ArchiveCorrupt)) throw err;
    return {kind: 'skip', reason: 'undecodable', message: `damaged inside the zip (${(err as Error).message}).`};
  }
  const inspected = await inspectImage(bytes, limits, looksLikeImage);
  if (inspected.kind !== 'image') return inspected;
  const {format, bitmap} = inspected;
  try {
    return {
      kind: 'image',
      image: {hash: await sha256Hex(bytes), format, width: bitmap.width, height: bitmap.height, thumbnail: await thumbnail(bitmap)},
    };
  } finally {
    bitmap.close();
  }
}
