import {expect} from '@open-wc/testing';
import {DEFAULT_FINE_TUNE} from '../../../src/shared/defaults.ts';
import {ErrorName} from '../../../src/shared/errors.ts';
import {CheckpointStore, runLockName, type CheckpointToSave} from '../../../workers/training/checkpoint-store.ts';
import {rejection} from '../../support/rejection.ts';
import {leaveStorageRoom, randomBytes, setStorageQuota} from '../../support/storage.ts';

const spec = {layer: 'block5_pool', inputSize: 32, preprocessing: 'caffe', resize: 'bilinear', channels: 512, weightsId: 'w'} as const;

/** An epoch's checkpoint whose first weight is `value`, the other `floats - 1` random (Chromium compresses what it stores: only noise takes its full size). */
function checkpoint(epoch: number, value: number, floats = 4, datasetId = 'd1'): CheckpointToSave {
  const data = new Float32Array(randomBytes(floats * 4).buffer);
  data[0] = value;
  return {
    manifest: {epoch, spec, datasetId, classes: ['a', 'b'], options: DEFAULT_FINE_TUNE, history: []},
    weights: [{name: 'block5_conv1/kernel', shape: [floats], dtype: 'float32', data: data.buffer as ArrayBuffer}],
    optimizer: [],
  };
}

const valueOf = async (store: CheckpointStore, runId: string) => new Float32Array((await store.load({runId}))!.weights[0]!.data)[0];

/** Runs `work` holding a run's Web Lock, as a worker fine-tuning it does. */
const holding = <T>(runId: string, work: () => Promise<T>): Promise<T> => navigator.locks.request(runLockName(runId), work) as Promise<T>;

describe('fine-tuning checkpoints, one slot per run', () => {
  const fresh = () => new CheckpointStore(`tl-test-runs-${crypto.randomUUID()}`);

  it('keeps two runs that fine-tune at once (two tabs) apart: neither overwrites the other', async () => {
    const store = fresh();
    await holding('tab-a', () =>
      holding('tab-b', async () => {
        const a = store.run('tab-a');
        const b = store.run('tab-b');
        await a.save(checkpoint(1, 1));
        await b.save(checkpoint(1, 2));
        await a.save(checkpoint(2, 3));
        await b.save(checkpoint(2, 4));
      }),
    );
    expect((await store.runs()).map((m) => [m.runId, m.epoch]).sort()).to.deep.equal([
      ['tab-a', 2],
      ['tab-b', 2],
    ]);
    expect(await valueOf(store, 'tab-a')).to.equal(3);
    expect(await valueOf(store, 'tab-b')).to.equal(4);
  });

  it("replaces, at a new run's first checkpoint, the runs no tab is running — as a new run always replaced the last", async () => {
    const store = fresh();
    await store.run('old').save(checkpoint(3, 1));
    await holding('elsewhere', async () => {
      await store.run('elsewhere').save(checkpoint(1, 2));
      await holding('new', () => store.run('new').save(checkpoint(1, 3)));
      expect((await store.runs()).map((m) => m.runId).sort(), 'the running one stays').to.deep.equal(['elsewhere', 'new']);
    });
    expect(await store.manifest({runId: 'old'})).to.equal(null);
  });

  it('chooses the run asked for, else the newest of the dataset', async () => {
    const store = fresh();
    await holding('x', () => holding('y', async () => {
      await store.run('x').save(checkpoint(1, 1, 4, 'd1'));
      await store.run('y').save(checkpoint(1, 2, 4, 'd2'));
    }));
    expect((await store.manifest({runId: 'x'}))!.runId).to.equal('x');
    expect((await store.manifest({datasetId: 'd2'}))!.runId).to.equal('y');
    expect((await store.manifest({runId: 'gone', datasetId: 'd1'}))!.runId, 'a run that is gone: the newest of the dataset').to.equal('x');
    expect(await store.manifest({runId: 'gone'})).to.equal(null);
    expect(await store.manifest({datasetId: 'd3'})).to.equal(null);
  });

  it('keeps the one checkpoint an earlier version wrote, as a run to resume', async () => {
    const name = `tl-test-runs-${crypto.randomUUID()}`;
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('checkpoints');
    const db = await new Promise<IDBDatabase>((resolve) => (request.onsuccess = () => resolve(request.result)));
    const old = checkpoint(2, 7);
    const tx = db.transaction('checkpoints', 'readwrite');
    tx.objectStore('checkpoints').put({weights: old.weights, optimizer: []}, 'payload:2');
    tx.objectStore('checkpoints').put({...old.manifest, schema: 1, savedAt: 1}, 'manifest');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();

    const store = new CheckpointStore(name);
    const kept = (await store.load({datasetId: 'd1'}))!;
    expect(kept.manifest).to.include({runId: 'earlier', epoch: 2, schema: 2});
    expect(new Float32Array(kept.weights[0]!.data)[0]).to.equal(7);
  });


  it('names a full disk with the real QuotaExceededError, and the last checkpoint stays readable', async () => {
    const store = fresh();
    await holding('r', () => store.run('r').save(checkpoint(1, 5)));
    await leaveStorageRoom(256 * 1024);
    try {
      const err = await rejection(holding('r', () => store.run('r').save(checkpoint(2, 6, 1024 * 1024))));
      expect(err.name).to.equal(ErrorName.StorageQuota);
      expect(err.message).to.contain('the last one written is kept');
    } finally {
      await setStorageQuota();
    }
    const kept = (await store.load({runId: 'r'}))!;
    expect(kept.manifest.epoch).to.equal(1);
    expect(new Float32Array(kept.weights[0]!.data)[0]).to.equal(5);
  });
});
