import {expect} from '@open-wc/testing';
import {expose} from 'comlink';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import {installNamedErrorTransfer} from '../../src/shared/comlink-errors.ts';
import {ErrorName} from '../../src/shared/errors.ts';
import type {Progress} from '../../src/shared/protocol/index.ts';
import {createTrainerServices} from '../../workers/trainer-services.ts';
import {makeImages} from '../support/fixtures.ts';
import {rejection} from '../support/rejection.ts';

/**
 * The client against the worker's API over a MessageChannel, in this page:
 * the Comlink layer (proxies, transfers, named errors) without a worker.
 */
describe('TrainerClient over a MessageChannel', () => {
  let client: TrainerClient;

  beforeEach(() => {
    installNamedErrorTransfer();
    const {port1, port2} = new MessageChannel();
    expose(createTrainerServices(), port1);
    client = new TrainerClient(port2);
  });
  afterEach(() => client.dispose());

  it('calls through, with progress callbacks and transferred results', async () => {
    await client.runtime.configure({inference: 'cpu'});
    await client.weights.load({kind: 'random', seed: 4});
    const pixels = makeImages(2, 32);
    const seen: Progress[] = [];
    const result = await client.features.extract({pixels, count: 2, size: 32}, {onEvent: (p) => seen.push(p)});
    expect(pixels.byteLength, 'the pixels were transferred, not copied').to.equal(0);
    expect(result.features.length).to.equal(2 * 512);
    expect(result.backend).to.equal('cpu');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.at(-1)).to.include({kind: 'features', done: 2, total: 2});
  });

  it('rejects with the worker’s error names', async () => {
    const notLoaded = await rejection(client.features.extract({pixels: makeImages(1, 32), count: 1, size: 32}));
    expect(notLoaded.name).to.equal(ErrorName.WeightsNotLoaded);
    const noDataset = await rejection(client.dataset.pixels({indices: [0], size: 32, resize: 'bilinear'}));
    expect(noDataset.name).to.equal(ErrorName.NoDataset);
  });
});
