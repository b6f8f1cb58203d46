import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-backend-status/tl-backend-status.ts';
import type {TlBackendStatus} from '../../src/components/tl-backend-status/tl-backend-status.ts';
import type {RuntimeReport} from '../../src/shared/protocol/index.ts';

const report: RuntimeReport = {
  phases: {
    inference: {
      backend: 'wasm',
      overridden: false,
      skipped: [{backend: 'webgpu', reason: 'software WebGPU adapter (google swiftshader): about 50× slower than wasm for inference'}],
    },
    training: {backend: 'webgl', overridden: true, skipped: [{backend: 'webgpu', reason: 'not requested: webgl was chosen by the user'}]},
  },
  webgpu: {vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true},
  webgl: {renderer: 'SwiftShader', software: true},
  crossOriginIsolated: true,
  wasmThreads: 4,
  wasmThreadsReason: '4 threads: one per logical core the browser reports',
};

describe('<tl-backend-status>', () => {
  it('shows the backend of each phase and why faster ones were skipped', async () => {
    const el = await fixture<TlBackendStatus>(html`<tl-backend-status .report=${report} .overrides=${{training: 'webgl'}}></tl-backend-status>`);
    const backends = [...el.shadowRoot!.querySelectorAll('[part=backend]')].map((b) => b.textContent);
    expect(backends).to.deep.equal(['wasm', 'webgl']);
    const text = el.shadowRoot!.textContent!;
    expect(text).to.contain('about 50× slower than wasm');
    expect(text).to.contain('(your choice)');
    expect(text).to.contain('google swiftshader (software fallback)');
    expect(el.shadowRoot!.querySelector<HTMLSelectElement>('#override-training')!.value).to.equal('webgl');
    expect(el.shadowRoot!.querySelector<HTMLSelectElement>('#override-inference')!.value).to.equal('');
    await expect(el).to.be.accessible();
  });

  it('fires tl-backend-change when the user picks a backend', async () => {
    const el = await fixture<TlBackendStatus>(html`<tl-backend-status .report=${report}></tl-backend-status>`);
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('#override-inference')!;
    select.value = 'cpu';
    setTimeout(() => select.dispatchEvent(new Event('change')));
    const event = await oneEvent(el, 'tl-backend-change');
    expect(event.detail).to.deep.equal({phase: 'inference', backend: 'cpu'});

    select.value = '';
    setTimeout(() => select.dispatchEvent(new Event('change')));
    expect((await oneEvent(el, 'tl-backend-change')).detail).to.deep.equal({phase: 'inference', backend: undefined});
  });

  it('renders nothing without a report', async () => {
    const el = await fixture<TlBackendStatus>(html`<tl-backend-status></tl-backend-status>`);
    expect(el.shadowRoot!.children.length).to.equal(0);
  });
});
