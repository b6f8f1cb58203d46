import {BlobReader, BlobWriter, ZipWriter} from '@zip.js/zip.js';
import {WEBCAM_DATASET_NAME} from '../../src/shared/protocol/index.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import type {ClassFrames} from './frame-store.ts';

/** PNG is compressed already: deflating it again costs time and saves nothing. */
const STORED = {level: 0};

/**
 * The captured classes as a dataset zip in the class-folders layout a
 * dropped zip has: `<class>/frame-0001.png`, … in capture order. A class
 * with no frames is its folder alone, so the import names it ("Class … has
 * no usable images") exactly as it would in a zip made by hand.
 */
export async function framesZip(classes: readonly ClassFrames[], signal?: AbortSignal): Promise<File> {
  const writer = new ZipWriter(new BlobWriter('application/zip'), {useWebWorkers: false, signal});
  try {
    for (const {name, frames} of classes) {
      if (frames.length === 0) await writer.add(`${name}/`, undefined, {directory: true});
      for (const [k, png] of frames.entries()) {
        throwIfCancelled(signal);
        await writer.add(`${name}/frame-${String(k + 1).padStart(4, '0')}.png`, new BlobReader(png), STORED);
      }
    }
    return new File([await writer.close()], WEBCAM_DATASET_NAME, {type: 'application/zip'});
  } catch (err) {
    await writer.close().catch(() => {});
    throwIfCancelled(signal);
    throw err;
  }
}
