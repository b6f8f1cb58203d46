import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/components/tl-playground/tl-playground.ts';
import type {TlPlayground} from '../../src/components/tl-playground/tl-playground.ts';
import {asFile, encodeBmp, makeZip} from '../support/dataset-zips.ts';

const shadowText = (el: Element): string => {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot);
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    node.childNodes.forEach(walk);
  };
  walk(el);
  return parts.join('').replace(/\s+/g, ' ');
};

const button = (root: ShadowRoot, text: string): HTMLButtonElement => {
  const found = [...root.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.includes(text));
  if (!found) throw new Error(`no button "${text}"`);
  return found;
};

/** The whole page against the real worker. */
describe('<tl-playground>', () => {
  beforeEach(() => localStorage.clear());

  it('starts the worker, shows the backend in use per phase, and explains missing weights', async () => {
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    await waitUntil(() => /Inference \(features, evaluation\): \w+/.test(shadowText(el)), 'no backend shown', {timeout: 60_000});
    await waitUntil(() => shadowText(el).includes('No VGG16 weights could be read'), 'no weights hint', {timeout: 60_000});
    const text = shadowText(el);
    expect(text).to.match(/Training \(fine-tuning\): (webgpu|webgl|cpu)/);
    expect(text).to.contain('HTML page, not a model.json');
    await expect(el).to.be.accessible();
  });

  it('loads random weights on request and says so', async () => {
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    await waitUntil(() => shadowText(el).includes('No VGG16 weights could be read'), 'no weights hint', {timeout: 60_000});
    button(el.shadowRoot!, 'Use random weights').click();
    await waitUntil(() => shadowText(el).includes('Random weights (He-uniform, seed 1)'), 'random weights not shown', {timeout: 60_000});
    expect(shadowText(el)).to.contain('generated in the worker');
  });

  it('switches a phase to the backend the user picks and remembers it', async () => {
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    await waitUntil(() => /Inference \(features, evaluation\): \w+/.test(shadowText(el)), 'no backend shown', {timeout: 60_000});
    const status = el.shadowRoot!.querySelector('tl-backend-status')!;
    const select = status.shadowRoot!.querySelector<HTMLSelectElement>('#override-inference')!;
    select.value = 'cpu';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => shadowText(el).includes('Inference (features, evaluation): cpu (your choice)'), 'override not applied', {
      timeout: 60_000,
    });
    expect(JSON.parse(localStorage.getItem('transfer-lab:backend-overrides')!)).to.deep.equal({inference: 'cpu'});
  });

  it('imports a dropped zip, shows its summary and gallery, and has it back after a reload', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['cats', 'dogs']) for (let i = 0; i < 8; i++) files[`${name}/${i}.bmp`] = encodeBmp({seed: name.length * 100 + i});
    const zip = asFile(await makeZip(files), 'pets-for-playground.zip');

    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    const drop = el.shadowRoot!.querySelector('tl-dataset-drop')!;
    drop.dispatchEvent(new CustomEvent('tl-dataset-file', {detail: {file: zip}, bubbles: true, composed: true}));
    await waitUntil(() => shadowText(el).includes('pets-for-playground.zip: 16 images in 2 classes'), 'no summary', {timeout: 60_000});
    const gallery = el.shadowRoot!.querySelector('tl-gallery')!;
    await waitUntil(() => gallery.shadowRoot!.querySelectorAll('[part=item]').length === 16, 'gallery not filled');
    expect(shadowText(el)).to.contain('Split again');
    await expect(el).to.be.accessible();
    el.remove();

    const reloaded = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    await waitUntil(() => shadowText(reloaded).includes('pets-for-playground.zip: 16 images in 2 classes'), 'not restored', {timeout: 60_000});
  });

  it('explains a zip that cannot make a dataset', async () => {
    const zip = asFile(await makeZip({'only/a.bmp': encodeBmp({seed: 1}), 'only/b.bmp': encodeBmp({seed: 2})}), 'one-class.zip');
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    el.shadowRoot!.querySelector('tl-dataset-drop')!.dispatchEvent(
      new CustomEvent('tl-dataset-file', {detail: {file: zip}, bubbles: true, composed: true}),
    );
    await waitUntil(() => shadowText(el).includes('DatasetInvalidError'), 'no error shown', {timeout: 60_000});
    expect(shadowText(el)).to.contain('Only one class was found ("only")');
  });

  it('runs features and the head from the page, with live curves', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['left', 'right']) for (let i = 0; i < 6; i++) files[`${name}/${i}.bmp`] = encodeBmp({seed: name.length * 50 + i});
    const zip = asFile(await makeZip(files), 'page-features.zip');
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    const root = el.shadowRoot!;
    await waitUntil(() => shadowText(el).includes('No VGG16 weights could be read'), 'weights not tried', {timeout: 60_000});
    expect(shadowText(el)).to.contain('Waiting for VGG16 weights');
    root.querySelector('tl-dataset-drop')!.dispatchEvent(new CustomEvent('tl-dataset-file', {detail: {file: zip}, bubbles: true, composed: true}));
    button(root, 'Use random weights').click();
    await waitUntil(() => shadowText(el).includes('page-features.zip: 12 images') && shadowText(el).includes('Random weights'), 'not ready', {
      timeout: 60_000,
    });

    const features = root.querySelector<HTMLFormElement>('form[aria-label="Feature settings"]')!;
    features.querySelector<HTMLInputElement>('[name=inputSize]')!.value = '32';
    features.requestSubmit();
    await waitUntil(() => shadowText(el).includes('Features ready for 12 images (32×32, caffe)'), 'no features', {timeout: 120_000});

    const panel = root.querySelector('tl-training-panel')!;
    await panel.updateComplete;
    const form = panel.shadowRoot!.querySelector('form')!;
    form.querySelector<HTMLInputElement>('[name=epochs]')!.value = '3';
    form.querySelector<HTMLInputElement>('[name=batchSize]')!.value = '4';
    form.requestSubmit();
    await waitUntil(() => shadowText(el).includes('Trained: epoch 3 of 3'), 'head not trained', {timeout: 120_000});
    const curves = root.querySelector('tl-curves')!;
    expect(curves.chartData('loss')![0]).to.deep.equal([1, 2, 3]);
    expect(shadowText(el)).to.match(/Run 1 \(rmsprop, lr 0\.001, 32px\): 3 epoch\(s\)/);

    const evaluate = button(root, 'Evaluate the head');
    expect(evaluate.disabled).to.equal(false);
    evaluate.click();
    await waitUntil(() => /Head only, test split: accuracy \d/.test(shadowText(el)), 'no results', {timeout: 60_000});
    await expect(el).to.be.accessible();

    // Step 4 is ready once a head exists; its preview shows augmented training images.
    expect(shadowText(el)).to.match(/Runs on \w+; a checkpoint is saved after every epoch/);
    const preview = root.querySelector('tl-augment-preview')!;
    preview.shadowRoot!.querySelector('button')!.click();
    await waitUntil(() => preview.shadowRoot!.querySelectorAll('canvas').length === 8, 'no augmentation preview', {timeout: 60_000});
  });

  it('runs the offline demo from one button: the Fashion-MNIST backbone, labelled as such, and the demo dataset; it can be stopped', async () => {
    const el = await fixture<TlPlayground>(html`<tl-playground weights-url="/no-such-dir/model.json"></tl-playground>`);
    const root = el.shadowRoot!;
    await waitUntil(() => !button(root, 'Run the demo').disabled, 'demo button never enabled', {timeout: 60_000});
    button(root, 'Run the demo').click();
    await waitUntil(() => shadowText(el).includes('Demo: computing features') || shadowText(el).includes('Demo: training the head'), 'demo did not get to features', {
      timeout: 120_000,
    });
    const text = shadowText(el);
    expect(text).to.contain('pre-trained on Fashion-MNIST, not ImageNet');
    expect(text).to.contain('Narrow VGG16 layout');
    expect(text).to.match(/fashion-bag-vs-boot\.zip: \d+ images in 2 classes/);
    button(root, 'Stop the demo').click();
    await waitUntil(() => shadowText(el).includes('(you stopped it)'), 'stop not reported', {timeout: 60_000});
    expect(button(root, 'Run the demo').disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });
});
