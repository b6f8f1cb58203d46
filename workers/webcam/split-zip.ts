import {BlobWriter, Uint8ArrayReader, ZipWriter} from '@zip.js/zip.js';
import type {DatasetManifest, SplitZipResult} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';

export interface SplitZipJob {
  /** An image's own bytes, as they are in the dataset's zip. */
  read: (index: number, signal?: AbortSignal) => Promise<Uint8Array>;
  signal?: AbortSignal;
  onImage?: (done: number, total: number) => void;
}

/**
 * The dataset written out by its split, in the layout Keras's
 * `flow_from_directory` and a dropped zip both read:
 * `train|validation|test/<class>/<file>`. The images' bytes are copied as
 * they are (no re-encoding), so importing this zip gives the same images,
 * hashes and split.
 */
export async function splitZip(manifest: DatasetManifest, {read, signal, onImage}: SplitZipJob): Promise<SplitZipResult> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {useWebWorkers: false, signal});
  const used = new Set<string>();
  try {
    for (const [index, image] of manifest.images.entries()) {
      throwIfCancelled(signal);
      const folder = `${image.split}/${manifest.classes[image.label]}/`;
      await writer.add(uniqueName(folder, image.path.split('/').at(-1)!, used), new Uint8ArrayReader(await read(index, signal)), {level: 0});
      onImage?.(index + 1, manifest.images.length);
    }
    const zip = await writer.close();
    return {zip, fileName: `${manifest.name.replace(/\.zip$/i, '')}-by-split.zip`, images: manifest.images.length};
  } catch (err) {
    await writer.close().catch(() => {});
    throwIfCancelled(signal);
    throw err;
  }
}

/** `folder + name`, or `name-2.ext`, `name-3.ext`… when two images of a class had the same name in different subfolders. */
function uniqueName(folder: string, name: string, used: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let path = folder + name;
  for (let k = 2; used.has(path.toLowerCase()); k++) path = `${folder}${stem}-${k}${ext}`;
  used.add(path.toLowerCase());
  return path;
}
