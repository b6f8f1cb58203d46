import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/components/tl-playground/tl-playground.ts';
import type {TlPlayground} from '../../src/components/tl-playground/tl-playground.ts';

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
    el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=button]')!.click();
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
});
