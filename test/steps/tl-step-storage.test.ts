import {ContextProvider} from '@lit/context';
import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/index.ts';
import {Lab} from '../../src/lab/lab.ts';
import {labContext} from '../../src/lab/lab-context.ts';
import {OfflineCopy} from '../../src/lab/offline.ts';
import {SavedChoices} from '../../src/lab/saved-choices.ts';
import type {TlStepStorage} from '../../src/steps/tl-step-storage/tl-step-storage.ts';
import type {FeatureSpec, StoredItem} from '../../src/shared/protocol/index.ts';
import {fakeWorker, type FakeWorker} from '../support/fake-client.ts';
import {button, deepQueryAll, shadowText} from '../support/page.ts';
import {forgetLastVisit} from '../support/storage.ts';

const memoryChoices = () => {
  const values = new Map<string, string>();
  return new SavedChoices(() => ({getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v), removeItem: (k) => void values.delete(k)}));
};

const SPEC: FeatureSpec = {weightsId: 'random-he-uniform:1', layer: 'block5_pool', channels: 512, inputSize: 32, preprocessing: 'caffe', resize: 'bilinear'};

/** What the worker of a lab that went through every step keeps, as its storage service lists it. */
function keptItems(fake: FakeWorker): StoredItem[] {
  const {id} = fake.answers.manifest;
  const {channels: _channels, ...key} = SPEC;
  return [
    {kind: 'dataset', id: 'dataset:current', label: 'sharks.zip: 6 images in 2 classes', bytes: 1_288_490, savedAt: Date.now(), inUse: true, datasetId: id, name: 'sharks.zip', images: 6},
    {kind: 'features', id: 'features:f2|x', label: 'Features at 32×32, bilinear, caffe', bytes: 12_288, savedAt: null, inUse: true, spec: key, entries: 6, covers: 6},
    {
      kind: 'weights',
      id: 'weights:v1:https://example.org/models/vgg16/model.json',
      label: 'ImageNet VGG16 (64-128-256-512-512)',
      bytes: 117_778_512,
      savedAt: Date.now(),
      inUse: false,
      weightsId: 'f'.repeat(64),
      url: 'https://example.org/models/vgg16/model.json',
      widths: [64, 128, 256, 512, 512],
      copies: {indexedDB: 58_889_256, offlineCache: 58_889_256},
    },
    {kind: 'head', id: 'head:current', label: 'Head for dolphins, sharks (features at 32×32)', bytes: 1_049_608, savedAt: Date.now(), inUse: true, spec: SPEC, datasetId: id, classes: ['dolphins', 'sharks']},
    {kind: 'checkpoint', id: 'checkpoint:current', label: 'Fine-tuning checkpoint after epoch 1 of 3 (dolphins, sharks)', bytes: 57_000_000, savedAt: Date.now(), inUse: true, datasetId: id, epoch: 1, epochs: 3},
  ];
}

/** A lab through steps 1–3 on a fake worker, with a <tl-step-storage> under the page's own provider. */
async function storageStep(offline = new OfflineCopy()) {
  const fake = fakeWorker();
  const lab = new Lab({client: fake.client, choices: memoryChoices(), offline});
  await lab.dataset.importFile(new File([], 'sharks.zip'));
  await lab.weights.load({kind: 'random', seed: 1});
  await lab.features.compute();
  await lab.head.train();
  fake.answers.storage.items = keptItems(fake);
  const host = document.createElement('div');
  new ContextProvider(host, {context: labContext, initialValue: lab});
  host.innerHTML = '<tl-step-storage></tl-step-storage>';
  document.body.append(host);
  const el = host.firstElementChild as TlStepStorage;
  await waitUntil(() => shadowText(el).includes('Checkpoint: Fine-tuning checkpoint'), 'no list', {timeout: 5000});
  return {fake, lab, el, host};
}

const deleteButton = (el: Element, kind: string) => deepQueryAll<HTMLButtonElement>(el, 'button').find((b) => b.getAttribute('aria-label')?.startsWith(`Delete ${kind}:`))!;

/** A service worker registration as the browser gives one, with workers whose state a test sets. */
function fakeRegistration() {
  const registration = Object.assign(new EventTarget(), {active: null as unknown, installing: null as unknown, waiting: null as unknown});
  const worker = (state: string) => Object.assign(new EventTarget(), {state});
  return {registration, worker};
}

describe('<tl-step-storage>', function () {
  beforeEach(() => forgetLastVisit());

  it('works alone: makes its own lab and lists what the real worker keeps', async () => {
    const el = await fixture<TlStepStorage>(html`<tl-step-storage weights-url="/no-such-dir/model.json"></tl-step-storage>`);
    expect(el.lab, 'a lab of its own').to.not.equal(undefined);
    await waitUntil(() => el.lab!.storage.listing !== null, 'no list', {timeout: 60_000});
    await el.updateComplete;
    expect(el.lab!.storage.listing!.persistent).to.equal(true);
    expect(shadowText(el)).to.match(/This site uses \d+(\.\d)? [KMG]?i?B of the/);
    expect(shadowText(el)).to.contain('Offline use is not available here');
    await expect(el).to.be.accessible();
  });

  it('lists every kept item with its size, marks those in use, and says what is not saved for offline use', async () => {
    const {el, host} = await storageStep();
    try {
      const text = shadowText(el);
      expect(text).to.contain('Dataset: sharks.zip: 6 images in 2 classes in use 1.2 MiB');
      expect(text).to.contain('Weights: ImageNet VGG16 (64-128-256-512-512) 112.3 MiB');
      expect(text).to.contain('IndexedDB 56.2 MiB + offline cache 56.2 MiB');
      expect(text).to.contain('6 images, 6 of the loaded dataset’s 6, made with the weights random-he-uniform:1');
      expect(text).to.contain('Head: Head for dolphins, sharks (features at 32×32) in use 1.0 MiB');
      expect(text).to.contain('for the loaded dataset');
      expect(text).to.contain('This site uses 4.8 MiB of the 953.7 MiB the browser allows it (IndexedDB 3.8 MiB, offline cache 976.6 KiB).');
      // No service worker of the app here (a page of its own, as a course page would be).
      expect(text).to.contain('Offline use is not available here: this page did not install the app’s service worker');
      expect(text).to.contain('Not saved yet:');
      await expect(el).to.be.accessible();
    } finally {
      host.remove();
    }
  });

  it('deletes only after a confirmation that says what the steps lose; the loaded dataset goes, and the steps wait for one', async () => {
    const {fake, lab, el, host} = await storageStep();
    try {
      deleteButton(el, 'dataset').click();
      await el.updateComplete;
      expect(shadowText(el)).to.contain('Delete “sharks.zip: 6 images in 2 classes” (1.2 MiB)? It is the loaded dataset: the steps will wait for a new zip. This cannot be undone.');
      button(el, 'Keep it').click();
      await el.updateComplete;
      expect(fake.calls).to.not.include('storage.remove');
      expect(shadowText(el)).to.not.contain('This cannot be undone');

      deleteButton(el, 'dataset').click();
      await el.updateComplete;
      button(el, 'Delete it').click();
      await waitUntil(() => shadowText(el).includes('It was the loaded dataset: drop a zip in step 1 to go on.'), 'no notice', {timeout: 5000});
      expect(lab.dataset.manifest).to.equal(null);
      expect(lab.features.blocked()).to.equal('Waiting for a dataset (step 1).');
      expect(shadowText(el)).to.not.contain('Dataset: sharks.zip');
    } finally {
      host.remove();
    }
  });

  it('brings each step in line with what a deletion took: features, head, checkpoint, weights in use, webcam frames', async () => {
    const {fake, lab, host} = await storageStep();
    try {
      const item = (kind: string) => lab.storage.items.find((i) => i.kind === kind)!;
      expect(lab.features.ready).to.not.equal(null);
      expect(await lab.storage.remove(item('features'))).to.equal(true);
      expect(lab.features.ready, 'step 3 trained on them').to.equal(null);
      expect(lab.head.blocked()).to.equal('Waiting for features: compute them in step 2.');
      expect(lab.storage.notice).to.match(/They were step 3's features/);

      expect(lab.head.trained).to.not.equal(null);
      expect(await lab.storage.remove(item('head'))).to.equal(true);
      expect(lab.head.trained).to.equal(null);
      expect(lab.fineTune.blocked()).to.match(/^Train the head first/);

      fake.answers.checkpoint = {runId: 'run', datasetId: fake.answers.manifest.id, epoch: 1, epochs: 3, history: [], spec: SPEC, options: lab.fineTune.options, savedAt: 1};
      await lab.fineTune.refresh();
      expect(lab.fineTune.current).to.not.equal(null);
      expect(await lab.storage.remove(item('checkpoint'))).to.equal(true);
      expect(lab.fineTune.current).to.equal(null);
      expect(lab.storage.notice).to.match(/Fine-tuning starts again from epoch 1/);

      // Weights not in use: still loaded, but a reload no longer looks for the deleted copy.
      lab.choices.weights = {kind: 'url', url: 'https://example.org/models/vgg16/model.json'};
      expect(await lab.storage.remove(item('weights'))).to.equal(true);
      expect(lab.choices.weights).to.equal(null);
      expect(lab.weights.info).to.not.equal(null);

      lab.choices.weights = {kind: 'stored', id: lab.weights.info!.id};
      fake.answers.storage.items.push({...(keptItems(fake)[2] as Extract<StoredItem, {kind: 'weights'}>), id: 'weights:v1:file:x', url: null, weightsId: lab.weights.info!.id, inUse: true});
      await lab.storage.refresh();
      expect(await lab.storage.remove(lab.storage.items.find((i) => i.id === 'weights:v1:file:x')!)).to.equal(true);
      expect(lab.weights.info).to.equal(null);
      expect(lab.features.blocked()).to.match(/^Waiting for VGG16 weights/);
      expect(lab.choices.weights, 'a reload does not look for them').to.equal(null);
      expect(lab.storage.notice).to.match(/They were the weights in use and are unloaded/);

      // The webcam's frames: the webcam step reads its classes again, and has none.
      lab.webcam.classes = [{id: 'c1', name: 'thumbs up', frames: []}];
      fake.answers.storage.items.push({kind: 'webcam', id: 'webcam:frames', label: '0 frame(s) in 1 class(es): thumbs up', bytes: 120, savedAt: null, inUse: false, classes: ['thumbs up'], frames: 0});
      await lab.storage.refresh();
      expect(await lab.storage.remove(item('webcam'))).to.equal(true);
      expect(lab.webcam.classes).to.deep.equal([]);
      expect(lab.storage.notice).to.match(/The webcam step has no classes now/);
    } finally {
      host.remove();
    }
  });

  it('waits for a running step before deleting anything', async () => {
    const {fake, lab, el, host} = await storageStep();
    try {
      fake.hold.add('features.compute');
      const computing = lab.features.compute();
      await el.updateComplete;
      expect(deleteButton(el, 'head').disabled).to.equal(true);
      expect(lab.storage.blocked()).to.equal('Waiting for the running step to finish.');
      expect(await lab.storage.remove(lab.storage.items[0]!)).to.equal(false);
      fake.release('features.compute');
      await computing;
      await el.updateComplete;
      expect(deleteButton(el, 'head').disabled).to.equal(false);
      expect(fake.calls).to.not.include('storage.remove');
    } finally {
      host.remove();
    }
  });

  it('says when the app is ready offline, and offers a new version only while nothing runs', async () => {
    const offline = new OfflineCopy();
    const {fake, lab, el, host} = await storageStep(offline);
    try {
      const {registration, worker} = fakeRegistration();
      registration.installing = worker('installing');
      let updates = 0;
      offline.attach(registration as unknown as ServiceWorkerRegistration, async () => void updates++);
      await el.updateComplete;
      expect(shadowText(el)).to.contain('Saving the app for offline use…');

      registration.active = worker('activated');
      registration.installing = null;
      offline.sync();
      await el.updateComplete;
      expect(shadowText(el)).to.contain('Ready offline: the app, its worker, the wasm backends and the demo are saved in this browser');
      // The ImageNet weights are kept too (in the list): nothing is missing.
      expect(shadowText(el)).to.contain('Everything the lab needs is saved in this browser.');

      registration.waiting = worker('installed');
      offline.newVersionWaiting();
      fake.hold.add('head.train');
      const training = lab.head.train();
      await el.updateComplete;
      expect(button(el, 'Reload to update').disabled, 'never in the middle of a run').to.equal(true);
      expect(shadowText(el)).to.contain('After the running step finishes: a reload would stop it.');
      fake.release('head.train');
      await training;
      await el.updateComplete;
      button(el, 'Reload to update').click();
      expect(updates).to.equal(1);

      offline.tookOverElsewhere();
      await el.updateComplete;
      expect(shadowText(el)).to.contain('The app was updated in another tab: reload this page when nothing runs here.');
    } finally {
      host.remove();
    }
  });

  it('asks for persistent storage after the first import (not a restored dataset), and shows the answer', async () => {
    let asked = 0;
    let granted = false;
    const stub = {persisted: async () => granted, persist: async () => (asked++, (granted = false)), estimate: () => navigator.storage.estimate()};
    Object.defineProperty(navigator, 'storage', {value: stub, configurable: true});
    try {
      const lab = new Lab({client: fakeWorker().client, choices: memoryChoices()});
      const el = await fixture<TlStepStorage>(html`<div></div>`);
      new ContextProvider(el, {context: labContext, initialValue: lab});
      el.innerHTML = '<tl-step-storage></tl-step-storage>';
      const step = el.firstElementChild as TlStepStorage;
      await waitUntil(() => shadowText(step).includes('The browser may clear this data when the disk runs low.'), 'no persistence line', {timeout: 5000});
      expect(asked, 'not before there is anything to keep').to.equal(0);

      lab.announce('tl-dataset-loaded', {manifest: fakeWorker().answers.manifest, restored: true});
      await new Promise((r) => setTimeout(r, 50));
      expect(asked, 'a restored dataset was kept already').to.equal(0);

      await lab.dataset.importFile(new File([], 'first.zip'));
      await waitUntil(() => shadowText(step).includes('The browser declined persistent storage for now'), 'no answer shown', {timeout: 5000});
      expect(asked).to.equal(1);
      await lab.dataset.importFile(new File([], 'second.zip'));
      expect(asked, 'asked once a visit; the button asks again').to.equal(1);

      stub.persist = async () => (asked++, (granted = true));
      button(step, 'Ask again').click();
      await waitUntil(() => shadowText(step).includes('Kept until you delete it: the browser granted persistent storage.'), 'no grant shown', {timeout: 5000});
      expect(asked).to.equal(2);
    } finally {
      delete (navigator as {storage?: StorageManager}).storage; // the prototype's getter again
    }
  });
});
