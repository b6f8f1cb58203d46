import {expect, waitUntil} from '@open-wc/testing';
import {Lab} from '../../src/lab/lab.ts';
import type {LabEventMap} from '../../src/lab/lab-events.ts';
import {SavedChoices} from '../../src/lab/saved-choices.ts';
import {fakeWorker, fineTuneProgress, type FakeWorker} from '../support/fake-client.ts';

/** Reading localStorage in a frame denied storage, as Chromium words it. */
const deniedStorage = (): never => {
  throw new DOMException("Failed to read the 'localStorage' property from 'Window': Access is denied for this document.", 'SecurityError');
};

const memoryStorage = () => {
  const values = new Map<string, string>();
  return {getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v), removeItem: (k: string) => void values.delete(k)};
};

function labWith(fake: FakeWorker, config = {}): Lab {
  return new Lab({client: fake.client, choices: new SavedChoices(() => memoryStorage()), config});
}

const events = <K extends keyof LabEventMap>(lab: Lab, type: K): LabEventMap[K]['detail'][] => {
  const seen: LabEventMap[K]['detail'][] = [];
  lab.addEventListener(type, (e) => seen.push((e as LabEventMap[K]).detail));
  return seen;
};

/** The page's state and rules, against a fake worker: no tfjs, no DOM. */
describe('Lab', () => {
  it('says why each step waits, step by step, and lets each go once what it needs is there', async () => {
    const fake = fakeWorker();
    fake.answers.weights = {...fake.answers.weights};
    const lab = labWith(fake);
    expect(lab.features.blocked()).to.equal('Waiting for a dataset (step 1).');
    expect(lab.head.blocked()).to.equal('Waiting for a dataset (step 1).');
    expect(lab.results.blocked('head')).to.equal('Waiting for a dataset (step 1).');

    await lab.dataset.importFile(new File([], 'x.zip'));
    expect(lab.features.blocked()).to.match(/^Waiting for VGG16 weights/);
    expect(lab.head.blocked()).to.equal('Waiting for features: compute them in step 2.');
    expect(lab.results.blocked('head'), 'no head yet: says to train it, not why fine-tuning needs one').to.equal('Train the head first (step 3).');
    expect(lab.fineTune.blocked()).to.match(/^Waiting for VGG16 weights/);

    await lab.weights.load({kind: 'random', seed: 1});
    expect(lab.features.blocked()).to.equal('');
    expect(lab.fineTune.blocked()).to.match(/^Train the head first \(step 3\)/);
    await lab.features.compute();
    expect(lab.head.blocked()).to.equal('');
    await lab.head.train();
    expect(lab.head.trained).to.not.equal(null);
    expect(lab.results.blocked('head')).to.equal('');
    expect(lab.fineTune.blocked()).to.equal('');
    expect(lab.results.blocked('fine-tuned')).to.equal('Fine-tune first (step 4).');
  });

  it('takes step 2’s settings from the backbone’s metadata; an input size the lab was configured with stays', async () => {
    const fake = fakeWorker();
    fake.answers.weights = {...fake.answers.weights, defaults: {inputSize: 32, preprocessing: 'rescale', resize: 'bicubic'}};
    const lab = labWith(fake);
    expect(lab.features.options).to.include({inputSize: 150, resize: 'bilinear', preprocessing: 'caffe'});
    await lab.weights.load({kind: 'url', url: 'demo/backbone/model.json'});
    expect(lab.features.options).to.include({inputSize: 32, resize: 'bicubic', preprocessing: 'rescale'});

    const configured = labWith(fake, {inputSize: 64});
    await configured.weights.load({kind: 'url', url: 'demo/backbone/model.json'});
    expect(configured.features.options).to.include({inputSize: 64, resize: 'bicubic'});
  });

  it('shows what an earlier visit kept as restored, and announces it', async () => {
    const fake = fakeWorker();
    fake.answers.restored = {...fake.answers.manifest, savedAt: Date.now() - 60_000};
    fake.answers.headInfo = {datasetId: fake.answers.manifest.id, classes: ['a', 'b'], spec: fake.answers.features().spec, seed: 1, trainedAt: 1, restored: true};
    const storage = memoryStorage();
    new SavedChoices(() => storage).lastFeatures = {spec: fake.answers.features().spec, datasetId: fake.answers.manifest.id, at: 5};
    const lab = new Lab({client: fake.client, choices: new SavedChoices(() => storage)});
    const datasets = events(lab, 'tl-dataset-loaded');
    const features = events(lab, 'tl-features-ready');
    await lab.start();
    expect(lab.dataset.restored).to.equal(true);
    expect(datasets).to.have.length(1);
    expect(datasets[0]!.restored).to.equal(true);
    expect(features[0]).to.include({restored: true, datasetId: fake.answers.manifest.id});
    expect(lab.features.ready?.at).to.equal(5);
    expect(lab.head.trained?.restored).to.equal(true);
    expect(lab.results.blocked('head')).to.equal('');
  });

  it('runs from memory where localStorage is denied, and says why once', async () => {
    const fake = fakeWorker();
    const lab = new Lab({client: fake.client, choices: new SavedChoices(deniedStorage)});
    expect(lab.notKept).to.match(/SecurityError: Failed to read the 'localStorage' property/);
    lab.choices.backendOverrides = {inference: 'cpu'};
    expect(lab.choices.backendOverrides).to.deep.equal({inference: 'cpu'});
    await lab.start();
    expect(lab.runtime.ready).to.equal(true);
  });

  it('reports the worker’s storage: nothing kept when IndexedDB is refused there', async () => {
    const fake = fakeWorker();
    (fake.client.runtime as {storage: () => Promise<unknown>}).storage = async () => ({persistent: false, reason: 'SecurityError: The operation is insecure.'});
    const lab = labWith(fake);
    await lab.start();
    await waitUntil(() => lab.notKept !== null);
    expect(lab.notKept).to.equal('SecurityError: The operation is insecure.');
  });

  it('passes fine-tuning progress on as it comes, and announces every epoch and the end', async () => {
    const fake = fakeWorker();
    const lab = labWith(fake);
    await lab.dataset.importFile(new File([], 'x.zip'));
    await lab.weights.load({kind: 'random', seed: 1});
    await lab.features.compute();
    await lab.head.train();
    const epochs = events(lab, 'tl-epoch-end');
    const done = events(lab, 'tl-training-done');
    fake.hold.add('fineTune.run');
    fake.events['fineTune.run'] = [fineTuneProgress(1, 2, 2), {kind: 'epoch', log: fake.answers.head.history[0]!}];
    const run = lab.fineTune.start();
    await waitUntil(() => lab.fineTune.run.progress !== null);
    expect(lab.fineTune.run.progress).to.include({kind: 'fine-tune', epoch: 1, batch: 2});
    expect(epochs).to.deep.equal([{phase: 'fine-tune', log: fake.answers.head.history[0]}]);
    fake.release('fineTune.run');
    expect(await run).to.equal(true);
    expect(done.map((d) => d.phase)).to.deep.equal(['fine-tune']);
    expect(lab.curves.list.map((r) => r.phase)).to.deep.equal(['head', 'fine-tune']);
    expect(lab.curves.list[1]!.phaseChanges).to.deep.equal([1]);
    expect(lab.curves.list[1]!.continues).to.deep.equal({id: lab.curves.list[0]!.id, epochs: 1});
  });

  it('a cancelled run is not an error; the demo says where it was stopped', async () => {
    const fake = fakeWorker();
    const lab = labWith(fake);
    await lab.start();
    fake.hold.add('features.compute');
    const demo = lab.demo.run();
    await waitUntil(() => lab.demo.stage === 'computing features', 'the demo did not get to features');
    expect(fake.calls).to.include.members(['weights.load', 'dataset.importZip', 'features.compute']);
    lab.demo.stop();
    await demo;
    expect(lab.features.run.status).to.equal('cancelled');
    expect(lab.features.run.shownError).to.equal(null);
    expect(lab.demo.outcome).to.deep.equal({ok: false, text: 'The demo stopped while computing features (you stopped it).'});
    expect(lab.demo.running).to.equal(false);
  });

  it('runs the demo through every step to the evaluation', async () => {
    const fake = fakeWorker();
    const lab = labWith(fake);
    await lab.start();
    fake.calls.length = 0;
    await lab.demo.run();
    expect(lab.demo.outcome).to.deep.equal({ok: true, text: 'Done: the fine-tuned model got 100.0 % of the test images right (step 5).'});
    expect(fake.calls.filter((c) => !c.startsWith('runtime') && !c.endsWith('info') && !c.endsWith('checkpoint') && !c.endsWith('restore'))).to.deep.equal([
      'weights.load',
      'dataset.importZip',
      'features.compute',
      'head.train',
      'fineTune.run',
      'evaluation.fineTuned',
    ]);
  });
});
