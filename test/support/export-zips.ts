import * as tf from '@tensorflow/tfjs';
import {BlobReader, BlobWriter, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter} from '@zip.js/zip.js';
import type {EvaluationResult, ExportMetadata, ImagePrediction} from '../../src/shared/protocol/index.ts';

/** Every file of a zip, by path. */
export async function unzip(zip: Blob): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new BlobReader(zip), {useWebWorkers: false});
  try {
    const files = new Map<string, Uint8Array>();
    for (const entry of await reader.getEntries()) {
      if (!entry.directory) files.set(entry.filename, await entry.getData(new Uint8ArrayWriter()));
    }
    return files;
  } finally {
    await reader.close();
  }
}

/** These files as a zip again (to damage an export on purpose). */
export async function rezip(files: ReadonlyMap<string, Uint8Array | string>): Promise<File> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {useWebWorkers: false});
  for (const [path, content] of files) {
    await writer.add(path, new Uint8ArrayReader(typeof content === 'string' ? new TextEncoder().encode(content) : content));
  }
  return new File([await writer.close()], 'edited-export.zip', {type: 'application/zip'});
}

export function json<T = any>(files: ReadonlyMap<string, Uint8Array>, path: string): T {
  return JSON.parse(new TextDecoder().decode(files.get(path)!));
}

/**
 * The zip's tfjs model, opened as any tfjs user would: plain
 * `tf.loadLayersModel` with tfjs's own `browserFiles` handler (model.json
 * first, then its shards) — no Transfer Lab code.
 */
export function loadPlainTfjs(files: ReadonlyMap<string, Uint8Array>): Promise<tf.LayersModel> {
  const asFile = (path: string) => new File([files.get(path)! as Uint8Array<ArrayBuffer>], path.split('/').at(-1)!);
  const shards = [...files.keys()].filter((path) => path.startsWith('tfjs/') && path.endsWith('.bin'));
  return tf.loadLayersModel(tf.io.browserFiles([asFile('tfjs/model.json'), ...shards.map(asFile)]));
}

/**
 * metadata.json's rule applied by this test's own code, as a user of the
 * export would: x = (pixels in channelOrder − mean) × scale.
 */
export function prepareAsMetadataSays(pixels: Uint8Array, count: number, metadata: ExportMetadata): tf.Tensor4D {
  const {height, width} = metadata.input;
  const {channelOrder, mean, scale} = metadata.preprocessing;
  return tf.tidy(() => {
    const rgb = tf.tensor4d(pixels, [count, height, width, 3], 'int32').toFloat();
    const ordered = channelOrder === 'BGR' ? rgb.reverse(-1) : rgb;
    return ordered.sub(tf.tensor1d(mean)).mul(scale) as tf.Tensor4D;
  });
}

/** Output rows as step 5 reports them: the predicted class and its probability (sigmoid: of class 1). */
export function asPredictions(rows: number[][], images: number[]): Array<Pick<ImagePrediction, 'image' | 'predicted' | 'probability'>> {
  return rows.map((row, i) => {
    if (row.length === 1) return {image: images[i]!, predicted: row[0]! >= 0.5 ? 1 : 0, probability: row[0]! >= 0.5 ? row[0]! : 1 - row[0]!};
    const predicted = row.indexOf(Math.max(...row));
    return {image: images[i]!, predicted, probability: row[predicted]!};
  });
}

/** The largest difference in probability, after checking that every image got the same class. */
export function worstDifference(expected: EvaluationResult['predictions'], actual: ReadonlyArray<Pick<ImagePrediction, 'image' | 'predicted' | 'probability'>>): number {
  if (expected.length !== actual.length) throw new Error(`${expected.length} predictions expected, got ${actual.length}`);
  return Math.max(
    ...expected.map((p, i) => {
      const other = actual[i]!;
      if (other.image !== p.image || other.predicted !== p.predicted) throw new Error(`image ${p.image}: class ${p.predicted} expected, got ${other.predicted} (image ${other.image})`);
      return Math.abs(other.probability - p.probability);
    }),
  );
}
