import {transfer} from 'comlink';
import type {DatasetManifest, ImportOptions, ImportRequest, PixelsRequest, Progress} from '../../src/shared/protocol/index.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import type {Session} from '../session/session.ts';

/** Step 1: the zipped dataset, imported, kept, split, and read back as pixels. */
export function createDatasetService(session: Session) {
  return {
    /**
     * Imports a zipped image dataset. The File arrives as is (structured
     * clone shares it; the main thread never reads the archive).
     */
    importZip(jobId: string, {file, options = {}, limits}: ImportRequest, onEvent?: Listener<Progress>): Promise<DatasetManifest> {
      return session.job(jobId, onEvent, (signal) => {
        const report = progressReporter('import', onEvent);
        return session.dataset.importZip(file, file.name, options, {
          signal,
          limits,
          onEntry: (done, total, images) => report(done, total, {images}),
        });
      });
    },

    /** The dataset kept from an earlier visit, or null. */
    restore(): Promise<DatasetManifest | null> {
      return session.serially(() => session.dataset.restore());
    },

    /** Draws the train/validation/test split again (class-folder zips only). */
    resplit(options: ImportOptions): Promise<DatasetManifest> {
      return session.serially(() => session.dataset.resplit(options));
    },

    /** Images of the dataset as RGB uint8, size×size each, one after another. */
    pixels({indices, size, resize}: PixelsRequest): Promise<Uint8Array> {
      return session.serially(async () => {
        const pixels = await session.dataset.readPixels(indices, size, resize);
        return transfer(pixels, [pixels.buffer]);
      });
    },
  };
}
