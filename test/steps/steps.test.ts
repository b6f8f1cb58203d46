import {ContextProvider} from '@lit/context';
import {expect, fixture, html, oneEvent, waitUntil} from '@open-wc/testing';
import '../../src/index.ts';
import type {TlLab} from '../../src/components/tl-lab/tl-lab.ts';
import {Lab} from '../../src/lab/lab.ts';
import {labContext} from '../../src/lab/lab-context.ts';
import {SavedChoices} from '../../src/lab/saved-choices.ts';
import type {TlStepData} from '../../src/steps/tl-step-data/tl-step-data.ts';
import type {TlStepFeatures} from '../../src/steps/tl-step-features/tl-step-features.ts';
import {RESIZE_CHOICES} from '../../src/steps/tl-step-features/choices.ts';
import {RESIZE_METHODS} from '../../src/shared/protocol/index.ts';
import {asFile, classFolders, encodeBmp, makeZip} from '../support/dataset-zips.ts';
import {fakeWorker} from '../support/fake-client.ts';
import {DEMO_WEIGHTS_URL} from '../support/demo-workflow.ts';
import {forgetLastVisit} from '../support/storage.ts';
import {button, deepQuery, dropZip, shadowText} from '../support/page.ts';

const memoryChoices = () => {
  const values = new Map<string, string>();
  return new SavedChoices(() => ({getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v), removeItem: (k) => void values.delete(k)}));
};

/** The step elements on their own, together in a <tl-lab>, and under a page's own provider. */
describe('step elements', function () {
  beforeEach(() => forgetLastVisit());

  it('works alone: a step with no provider makes its own lab and announces its milestones on the page', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['cats', 'dogs']) for (let i = 0; i < 4; i++) files[`${name}/${i}.bmp`] = encodeBmp({seed: name.length * 10 + i});
    const zip = asFile(await makeZip(files), 'alone.zip');
    const el = await fixture<TlStepData>(html`<tl-step-data weights-url="/no-such-dir/model.json"></tl-step-data>`);
    expect(el.lab, 'a lab of its own').to.not.equal(undefined);
    setTimeout(() => dropZip(el, zip));
    const event = await oneEvent(document, 'tl-dataset-loaded');
    expect(event.composed && event.bubbles).to.equal(true);
    expect(event.detail.manifest.name).to.equal('alone.zip');
    await waitUntil(() => shadowText(el).includes('alone.zip: 8 images in 2 classes'), 'no summary', {timeout: 30_000});
    await expect(el).to.be.accessible();
  });

  it("shares one lab inside <tl-lab>; the backbone's metadata sets step 2, which the user can still change", async () => {
    const lab = await fixture<TlLab>(html`<tl-lab weights-url="/no-such-dir/model.json">
      <p>Some lesson text.</p>
      <tl-step-weights></tl-step-weights>
      <div><tl-step-features></tl-step-features></div>
    </tl-lab>`);
    const features = lab.querySelector<TlStepFeatures>('tl-step-features')!;
    const weights = lab.querySelector('tl-step-weights')!;
    expect(features.lab).to.equal(lab.lab);
    expect((weights as unknown as {lab: unknown}).lab).to.equal(lab.lab);
    await waitUntil(() => !button(weights, 'Use the demo backbone').disabled, 'runtime never ready', {timeout: 60_000});
    button(weights, 'Use the demo backbone').click();
    await waitUntil(() => shadowText(weights).includes('Narrow VGG16 layout'), 'demo backbone not loaded', {timeout: 60_000});
    await features.updateComplete;
    const form = deepQuery<HTMLFormElement>(features, 'form[aria-label="Feature settings"]');
    expect(form.querySelector<HTMLInputElement>('[name=inputSize]')!.value).to.equal('32');
    expect(form.querySelector<HTMLSelectElement>('[name=resize]')!.value).to.equal('bicubic');
    expect(form.querySelector<HTMLInputElement>('[name=inputSize]')!.disabled, 'still the user’s to change').to.equal(false);
    expect(new URL(DEMO_WEIGHTS_URL).pathname).to.equal('/demo/backbone/model.json');
    // Every resize is offered, with its reason in one line.
    expect([...form.querySelectorAll<HTMLOptionElement>('[name=resize] option')].map((o) => o.value)).to.deep.equal([...RESIZE_METHODS]);
    for (const method of RESIZE_METHODS) expect(RESIZE_CHOICES[method].why).to.match(/^[^\n]{20,160}$/);
    await expect(lab).to.be.accessible();
  });

  it("uses a page's own lab (Context Community Protocol); read-only fixes the settings, controls=\"run\" hides them, controls=\"none\" shows output only", async () => {
    const host = document.createElement('div');
    const lab = new Lab({client: fakeWorker().client, choices: memoryChoices()});
    new ContextProvider(host, {context: labContext, initialValue: lab});
    document.body.append(host);
    try {
      host.innerHTML = '<tl-step-head read-only></tl-step-head><tl-step-features controls="run"></tl-step-features><tl-step-results controls="none"></tl-step-results>';
      const [head, features, results] = [...host.children] as HTMLElement[] & {lab?: Lab}[];
      await (head as unknown as {updateComplete: Promise<unknown>}).updateComplete;
      expect((head as unknown as {lab: Lab}).lab).to.equal(lab);
      const panel = deepQuery(head!, 'tl-head-panel');
      await (panel as unknown as {updateComplete: Promise<unknown>}).updateComplete;
      expect([...panel.shadowRoot!.querySelectorAll('input')].every((i) => i.disabled), 'read-only').to.equal(true);
      expect(features!.shadowRoot!.querySelector('[name=inputSize]'), 'settings hidden').to.equal(null);
      expect(shadowText(features!)).to.contain('150×150, bilinear resize, caffe preprocessing');
      expect(button(features!, 'Compute features').disabled).to.equal(true);
      expect(results!.shadowRoot!.querySelector('[part=controls]'), 'no controls').to.equal(null);
    } finally {
      host.remove();
    }
  });

  it('shows fine-tuning as it goes: epoch and batch, images/s, time left, running loss and accuracy', async () => {
    const lab = await fixture<TlLab>(html`<tl-lab weights-url="/no-such-dir/model.json"><tl-step-fine-tune></tl-step-fine-tune></tl-lab>`);
    const model = lab.lab!;
    await model.start();
    await model.weights.load({kind: 'random', seed: 2});
    await model.dataset.importFile(asFile(await makeZip(classFolders('', ['x', 'y'], 4, 8)), 'fine-tune-progress.zip'), {seed: 1, fractions: {train: 2, validation: 1, test: 1}});
    expect(await model.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'nearest', batchSize: 8})).to.equal(true);
    expect(await model.head.train({...model.head.options, epochs: 1, batchSize: 4})).to.equal(true);

    const step = lab.querySelector('tl-step-fine-tune')!;
    await (step as unknown as {updateComplete: Promise<unknown>}).updateComplete;
    const form = deepQuery<HTMLFormElement>(step, 'form[aria-label="Fine-tuning settings"]');
    form.querySelector<HTMLInputElement>('[name=epochs]')!.value = '2';
    form.querySelector<HTMLInputElement>('[name=batchSize]')!.value = '2';
    const texts = new Set<string>();
    const watch = setInterval(() => {
      const progress = step.shadowRoot!.querySelector('tl-progress');
      const text = progress?.shadowRoot!.querySelector('[role=status]')?.textContent?.replace(/\s+/g, ' ').trim();
      if (text) texts.add(text);
    }, 20);
    const done = oneEvent(lab, 'tl-training-done');
    button(step, 'Fine-tune').click();
    await done;
    clearInterval(watch);
    const seen = [...texts];
    console.log(`fine-tuning progress as shown:\n  ${seen.join('\n  ')}`);
    expect(seen.some((t) => t.includes('Epoch 1 of 2 · batch 1 of 2'))).to.equal(true);
    expect(seen.some((t) => t.includes('Epoch 2 of 2'))).to.equal(true);
    expect(seen.some((t) => /images\/s/.test(t) && /left/.test(t) && /loss \d\.\d{3}, accuracy \d+\.\d %/.test(t))).to.equal(true);
    expect(new Set(seen.map((t) => t.replace(/\d+(\.\d+)?/g, '#'))).size, 'the figures change, not only the numbers').to.be.greaterThan(1);
    await waitUntil(() => shadowText(step).includes('Fine-tuned: 2 epochs'), 'no end state', {timeout: 10_000});
  });
});
