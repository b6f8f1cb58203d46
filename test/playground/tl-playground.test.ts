import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/playground/tl-playground.ts';
import type {TlPlayground} from '../../src/playground/tl-playground.ts';
import {asFile, encodeBmp, makeZip} from '../support/dataset-zips.ts';
import {forgetLastVisit} from '../support/storage.ts';
import {button, deepQuery, dropZip, shadowText} from '../support/page.ts';

const page = () => fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
const until = (el: Element, text: string | RegExp, message: string, timeout = 60_000) =>
  waitUntil(() => (typeof text === 'string' ? shadowText(el).includes(text) : text.test(shadowText(el))), message, {timeout});

/** The whole page against the real worker. */
describe('<tl-playground>', () => {
  beforeEach(() => forgetLastVisit());

  it('starts the worker, shows the backend per phase, and greets a first visit without weights with a choice, not an error', async () => {
    const el = await page();
    await until(el, /Inference \(features, evaluation\): \w+/, 'no backend shown');
    await until(el, 'Choose the weights to start from', 'no weights guidance');
    const text = shadowText(el);
    expect(text).to.match(/Training \(fine-tuning\): (webgpu|wasm|webgl|cpu)/);
    expect(text).to.contain('Use the demo backbone');
    expect(el.shadowRoot!.querySelectorAll('[role=alert]').length, 'no error on a first visit').to.equal(0);
    // Buttons that cannot act say why, next to them.
    const compute = button(el, 'Compute features');
    expect(compute.disabled).to.equal(true);
    expect(compute.getRootNode() instanceof ShadowRoot && (compute.getRootNode() as ShadowRoot).getElementById(compute.getAttribute('aria-describedby')!)!.textContent).to.contain('Waiting for a dataset');
    expect(button(el, 'Evaluate the head').disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('switches a phase to the backend the user picks and remembers it', async () => {
    const el = await page();
    await until(el, /Inference \(features, evaluation\): \w+/, 'no backend shown');
    const select = deepQuery<HTMLSelectElement>(el, '#override-inference');
    select.value = 'cpu';
    select.dispatchEvent(new Event('change'));
    await until(el, 'Inference (features, evaluation): cpu (your choice)', 'override not applied');
    expect(JSON.parse(localStorage.getItem('transfer-lab:backend-overrides')!)).to.deep.equal({inference: 'cpu'});
  });

  it('imports a dropped zip, shows its summary and gallery, and has it back (as restored) after a reload', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['cats', 'dogs']) for (let i = 0; i < 8; i++) files[`${name}/${i}.bmp`] = encodeBmp({seed: name.length * 100 + i});
    const zip = asFile(await makeZip(files), 'pets-for-playground.zip');

    const el = await page();
    const loaded = new Promise<CustomEvent>((resolve) =>
      document.addEventListener('tl-dataset-loaded', function imported(e) {
        if (e.detail.restored) return;
        document.removeEventListener('tl-dataset-loaded', imported);
        resolve(e);
      }),
    );
    dropZip(el, zip);
    await until(el, 'pets-for-playground.zip: 16 images in 2 classes', 'no summary');
    const event = await loaded;
    expect(event.detail.manifest.name, 'the milestone bubbles out of the page, composed').to.equal('pets-for-playground.zip');
    const gallery = deepQuery(el, 'tl-gallery');
    await waitUntil(() => gallery.shadowRoot!.querySelectorAll('[part=item]').length === 16, 'gallery not filled');
    expect(shadowText(el)).to.contain('Split again');
    await expect(el).to.be.accessible();
    el.remove();

    const reloaded = await page();
    await until(reloaded, 'pets-for-playground.zip: 16 images in 2 classes', 'not restored');
    expect(shadowText(reloaded)).to.match(/Restored from your last visit: the dataset pets-for-playground\.zip \(made today at/);
  });

  it('explains a zip that cannot make a dataset', async () => {
    const zip = asFile(await makeZip({'only/a.bmp': encodeBmp({seed: 1}), 'only/b.bmp': encodeBmp({seed: 2})}), 'one-class.zip');
    const el = await page();
    dropZip(el, zip);
    await until(el, 'DatasetInvalidError', 'no error shown');
    expect(shadowText(el)).to.contain('Only one class was found ("only")');
  });

  it('runs features and the head from the page, with live curves; the head is shown as restored after a reload', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['left', 'right']) for (let i = 0; i < 6; i++) files[`${name}/${i}.bmp`] = encodeBmp({seed: name.length * 50 + i});
    const zip = asFile(await makeZip(files), 'page-features.zip');
    const el = await page();
    await until(el, 'Choose the weights to start from', 'weights not tried');
    dropZip(el, zip);
    button(el, 'Use random weights').click();
    await waitUntil(() => shadowText(el).includes('page-features.zip: 12 images') && shadowText(el).includes('Random weights'), 'not ready', {timeout: 60_000});

    const features = deepQuery<HTMLFormElement>(el, 'form[aria-label="Feature settings"]');
    features.querySelector<HTMLInputElement>('[name=inputSize]')!.value = '32';
    features.requestSubmit();
    await until(el, 'Features ready for 12 images (32×32, bilinear, caffe)', 'no features', 120_000);

    const panel = deepQuery(el, 'tl-head-panel');
    const form = panel.shadowRoot!.querySelector('form')!;
    form.querySelector<HTMLInputElement>('[name=epochs]')!.value = '3';
    form.querySelector<HTMLInputElement>('[name=batchSize]')!.value = '4';
    form.requestSubmit();
    await until(el, 'Trained: epoch 3 of 3', 'head not trained', 120_000);
    expect(deepQuery<HTMLElement & {chartData(m: string): number[][] | null}>(el, 'tl-curves').chartData('loss')![0]).to.deep.equal([1, 2, 3]);
    expect(shadowText(el)).to.match(/Run 1 \(rmsprop, lr 0\.001, 32px\): 3 epoch\(s\)/);

    // The run shows as done first; the head it made is asked of the worker just after.
    await waitUntil(() => !button(el, 'Evaluate the head').disabled, 'the trained head never came back', {timeout: 10_000});
    button(el, 'Evaluate the head').click();
    await until(el, /Head only, test split: accuracy \d/, 'no results');
    await expect(el).to.be.accessible();

    // Step 4 is ready once a head exists; its preview shows augmented training images.
    expect(button(el, 'Fine-tune').disabled).to.equal(false);
    const preview = deepQuery(el, 'tl-augment-preview');
    preview.shadowRoot!.querySelector('button')!.click();
    await waitUntil(() => preview.shadowRoot!.querySelectorAll('canvas').length === 8, 'no augmentation preview', {timeout: 60_000});
    el.remove();

    const reloaded = await page();
    await until(reloaded, /Restored from your last visit: the head trained on these 32×32 features/, 'restored head not shown');
    expect(shadowText(reloaded)).to.contain('Restored from your last visit: features for this dataset (32×32, bilinear, caffe)');
    expect(button(reloaded, 'Evaluate the head').disabled).to.equal(false);
  });

  it('runs the offline demo from one button: the Fashion-MNIST backbone, labelled as such, and the demo dataset; it can be stopped', async () => {
    const el = await page();
    await waitUntil(() => !button(el, 'Run the demo').disabled, 'demo button never enabled', {timeout: 60_000});
    button(el, 'Run the demo').click();
    await until(el, /Demo: (computing features|training the head)/, 'demo did not get to features', 120_000);
    const text = shadowText(el);
    expect(text).to.contain('pre-trained on Fashion-MNIST, not ImageNet');
    expect(text).to.contain('Narrow VGG16 layout');
    expect(text).to.match(/fashion-bag-vs-boot\.zip: \d+ images in 2 classes/);
    button(el, 'Stop the demo').click();
    await until(el, '(you stopped it)', 'stop not reported');
    expect(button(el, 'Run the demo').disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });
});
