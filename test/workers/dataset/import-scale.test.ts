import {expect} from '@open-wc/testing';
import {createStore} from 'idb-keyval';
import {DatasetSession} from '../../../workers/dataset/dataset-session.ts';
import {encodeBmp, makeZip, type ZipContent} from '../../support/dataset-zips.ts';

/** A Blob that records the largest slice anyone reads from it. */
class WatchedBlob extends Blob {
  largestRead = 0;
  override slice(start?: number, end?: number, contentType?: string): Blob {
    const from = start ?? 0;
    const to = end ?? this.size;
    this.largestRead = Math.max(this.largestRead, to - from);
    return super.slice(start, end, contentType);
  }
}

describe('dataset import at scale', function () {
  it('imports a 5,000-entry archive reading it piecewise, never whole', async () => {
    const files: Record<string, ZipContent> = {};
    for (let i = 0; i < 5000; i++) {
      const name = i % 2 ? 'odd' : 'even';
      files[`${name}/${i}.bmp`] = encodeBmp({width: 24, height: 24, seed: i + 1});
    }
    // Stored, not deflated: the archive is as big as its content.
    const zip = await makeZip(files, {level: 0});
    const watched = new WatchedBlob([zip]);
    let reports = 0;
    const started = performance.now();
    const session = new DatasetSession(createStore(`tl-test-datasets-${crypto.randomUUID()}`, 'datasets'));
    const manifest = await session.importZip(watched, 'big.zip', {}, {onEntry: () => reports++});
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `5,000 entries (${(zip.size / 2 ** 20).toFixed(1)} MiB) imported in ${seconds.toFixed(1)} s ` +
        `(${(5000 / seconds).toFixed(0)} images/s); largest single read ${(watched.largestRead / 1024).toFixed(0)} KiB`,
    );
    expect(manifest.images).to.have.length(5000);
    expect(manifest.counts.train[0]! + manifest.counts.validation[0]! + manifest.counts.test[0]!).to.equal(2500);
    expect(reports).to.equal(5000);
    // Read in windows of at most 2 MiB (ReadAheadBlobReader), never the whole archive at once.
    expect(zip.size).to.be.greaterThan(8 * 2 ** 20);
    expect(watched.largestRead).to.be.at.most(2 * 2 ** 20);
  });
});
