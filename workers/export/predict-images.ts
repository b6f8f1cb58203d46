import * as tf from '@tensorflow/tfjs';
import {toCsv} from '../../src/shared/csv.ts';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import type {ClassProbability, ExportMetadata, NamedFile, NewImagePrediction, SkippedFile} from '../../src/shared/protocol/index.ts';
import {displayName, isJunkPath} from '../dataset/archive-paths.ts';
import {rgbaPixels} from '../dataset/decode-image.ts';
import {DEFAULT_LIMITS} from '../dataset/import-limits.ts';
import {IMAGE_EXTENSION, inspectImage, oversized} from '../dataset/inspect-image.ts';
import {resizeRgb} from '../dataset/resize.ts';
import {openArchive, readEntry, type OpenArchive} from '../dataset/zip-archive.ts';
import {preprocess} from '../model/preprocess.ts';
import {betweenBatches, throwIfCancelled} from '../runtime/jobs.ts';

/** One file to predict: a dropped file, or an entry of a dropped zip. */
export interface ImageSource {
  path: string;
  size: number;
  looksLikeImage: boolean;
  read(): Promise<Uint8Array>;
}

export interface CollectedSources {
  sources: ImageSource[];
  /** Zips that could not be opened, with why. */
  skipped: SkippedFile[];
  /** OS litter, by path. */
  ignored: string[];
  close(): Promise<void>;
}

/**
 * The files to look at: each dropped file, and each entry of each dropped
 * zip (a folder drop arrives as either). Zips are recognised by their
 * bytes and opened with the dataset import's checks; OS litter is passed over.
 */
export async function collectSources(files: ReadonlyArray<File | NamedFile>, signal?: AbortSignal): Promise<CollectedSources> {
  const sources: ImageSource[] = [];
  const skipped: SkippedFile[] = [];
  const ignored: string[] = [];
  const archives: OpenArchive[] = [];
  const close = async () => void (await Promise.all(archives.map((a) => a.close().catch(() => {}))));
  try {
    for (const item of files) {
      throwIfCancelled(signal);
      const file = item instanceof Blob ? item : item.file;
      const path = displayName(item instanceof Blob ? item.name : item.path);
      if (isJunkPath(path)) {
        ignored.push(path);
        continue;
      }
      if (!(await isZip(file))) {
        sources.push({path, size: file.size, looksLikeImage: IMAGE_EXTENSION.test(path), read: async () => new Uint8Array(await file.arrayBuffer())});
        continue;
      }
      let archive: OpenArchive;
      try {
        archive = await openArchive(file, DEFAULT_LIMITS, signal);
      } catch (err) {
        if (hasErrorName(err, ErrorName.Cancelled)) throw err;
        skipped.push({path, reason: 'undecodable', message: `the zip could not be opened (${(err as Error).message})`});
        continue;
      }
      archives.push(archive);
      for (const entry of archive.files) {
        const inner = `${path}/${displayName(entry.filename)}`;
        if (isJunkPath(entry.filename)) ignored.push(inner);
        else sources.push({path: inner, size: entry.uncompressedSize, looksLikeImage: IMAGE_EXTENSION.test(entry.filename), read: () => readEntry(entry, signal)});
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {sources, skipped, ignored, close};
}

export interface PredictImagesJob {
  model: tf.LayersModel;
  metadata: ExportMetadata;
  sources: readonly ImageSource[];
  topK: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** After each file: files done, of all; images predicted so far. */
  onItem?: (done: number, total: number, predicted: number) => void;
}

export interface PredictedImages {
  predictions: NewImagePrediction[];
  skipped: SkippedFile[];
  /** Files that are not images (by content, and not named like one). */
  notImages: string[];
}

/**
 * Predicts every usable image among the sources: checked and decoded as a
 * dataset import does (EXIF orientation applied, alpha dropped), resized
 * by the app's PIL-exact resize and preprocessed exactly as the metadata
 * says, a batch at a time. Unusable images are skipped with their reason.
 */
export async function predictImages({model, metadata, sources, topK, batchSize = 16, signal, onItem}: PredictImagesJob): Promise<PredictedImages> {
  const size = metadata.input.height;
  const {method} = metadata.preprocessing.resize;
  const pixelsPerImage = size * size * 3;
  const predictions: NewImagePrediction[] = [];
  const skipped: SkippedFile[] = [];
  const notImages: string[] = [];
  let batch: {paths: string[]; pixels: Uint8Array} = {paths: [], pixels: new Uint8Array(batchSize * pixelsPerImage)};
  const flush = async () => {
    if (batch.paths.length === 0) return;
    const n = batch.paths.length;
    const scores = tf.tidy(() => {
      const x = preprocess(tf.tensor4d(batch.pixels.subarray(0, n * pixelsPerImage), [n, size, size, 3], 'int32'), metadata.preprocessing.mode);
      return model.predict(x) as tf.Tensor2D;
    });
    try {
      // Read asynchronously: a synchronous read on WebGPU has been seen to return zeros.
      const rows = await scores.array();
      rows.forEach((row, i) => predictions.push({path: batch.paths[i]!, top: topClasses(row, metadata.classes, topK)}));
    } finally {
      scores.dispose();
    }
    batch = {paths: [], pixels: batch.pixels};
  };
  onItem?.(0, sources.length, 0);
  for (const [index, source] of sources.entries()) {
    await betweenBatches(signal);
    const tooLarge = oversized(source.size, DEFAULT_LIMITS);
    const inspected = tooLarge ?? (await inspectImage(await source.read(), DEFAULT_LIMITS, source.looksLikeImage));
    if (inspected.kind === 'skip') skipped.push({path: source.path, reason: inspected.reason, message: inspected.message});
    else if (inspected.kind === 'not-an-image') notImages.push(source.path);
    else {
      try {
        batch.pixels.set(resizeRgb(rgbaPixels(inspected.bitmap), size, size, method), batch.paths.length * pixelsPerImage);
      } finally {
        inspected.bitmap.close();
      }
      batch.paths.push(source.path);
      if (batch.paths.length === batchSize) await flush();
    }
    onItem?.(index + 1, sources.length, predictions.length + batch.paths.length);
  }
  await flush();
  return {predictions, skipped, notImages};
}

/**
 * The k most probable classes of one output row, most probable first. A
 * sigmoid row ([p]) is the probability of classes[1]; classes[0] has 1 − p.
 */
export function topClasses(row: readonly number[], classes: readonly string[], k: number): ClassProbability[] {
  const probabilities = classes.length === 2 && row.length === 1 ? [1 - row[0]!, row[0]!] : [...row];
  return probabilities
    .map((probability, label) => ({label, class: classes[label]!, probability}))
    .sort((a, b) => b.probability - a.probability || a.label - b.label)
    .slice(0, k);
}

/** One row per image: path, then top1, top1_probability, top2, … (RFC 4180, formula-like fields defused). */
export function newImagesCsv(predictions: readonly NewImagePrediction[], k: number): string {
  const header = ['path', ...Array.from({length: k}, (_, i) => [`top${i + 1}`, `top${i + 1}_probability`]).flat()];
  return toCsv([header, ...predictions.map((p) => [p.path, ...p.top.flatMap((c) => [c.class, c.probability.toFixed(6)])])]);
}

/** How many classes to list per image: 3 by default, 1 to the number of classes. */
export function checkTopK(topK: number | undefined, classCount: number): number {
  const k = topK ?? Math.min(3, classCount);
  if (!Number.isInteger(k) || k < 1 || k > classCount) {
    throw new NamedError(ErrorName.InvalidRequest, `Top-k must be a whole number from 1 to ${classCount} (the number of classes); got ${topK}.`);
  }
  return k;
}

async function isZip(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
}
