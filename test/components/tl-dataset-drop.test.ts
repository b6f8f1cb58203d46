import {expect, fixture, html, oneEvent} from '@open-wc/testing';
import '../../src/components/tl-dataset-drop/tl-dataset-drop.ts';
import type {TlDatasetDrop} from '../../src/components/tl-dataset-drop/tl-dataset-drop.ts';

const zipFile = () => new File([new Uint8Array([0x50, 0x4b, 5, 6])], 'pets.zip', {type: 'application/zip'});

describe('<tl-dataset-drop>', () => {
  it('passes an accessibility check, with a keyboard-reachable picker', async () => {
    const el = await fixture<TlDatasetDrop>(html`<tl-dataset-drop></tl-dataset-drop>`);
    await expect(el).to.be.accessible();
    const button = el.shadowRoot!.querySelector('button')!;
    button.focus();
    expect(el.shadowRoot!.activeElement).to.equal(button);
    expect(el.shadowRoot!.querySelector('input[type=file]')!.getAttribute('accept')).to.contain('.zip');
  });

  it('hands on a dropped zip as the File itself', async () => {
    const el = await fixture<TlDatasetDrop>(html`<tl-dataset-drop></tl-dataset-drop>`);
    const file = zipFile();
    const transfer = new DataTransfer();
    transfer.items.add(new File(['x'], 'notes.txt'));
    transfer.items.add(file);
    const zone = el.shadowRoot!.querySelector('[part=zone]')!;
    setTimeout(() => zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true})));
    const event = await oneEvent(el, 'tl-dataset-file');
    expect(event.detail.file.name).to.equal('pets.zip');
    expect(event.detail.file.size).to.equal(file.size);
  });

  it('hands on a picked file', async () => {
    const el = await fixture<TlDatasetDrop>(html`<tl-dataset-drop></tl-dataset-drop>`);
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type=file]')!;
    const transfer = new DataTransfer();
    transfer.items.add(zipFile());
    input.files = transfer.files;
    setTimeout(() => input.dispatchEvent(new Event('change')));
    expect((await oneEvent(el, 'tl-dataset-file')).detail.file.name).to.equal('pets.zip');
  });

  it('refuses drops while disabled, and explains an empty drop', async () => {
    const el = await fixture<TlDatasetDrop>(html`<tl-dataset-drop disabled></tl-dataset-drop>`);
    let fired = false;
    el.addEventListener('tl-dataset-file', () => (fired = true));
    const transfer = new DataTransfer();
    transfer.items.add(zipFile());
    const zone = el.shadowRoot!.querySelector('[part=zone]')!;
    zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, cancelable: true}));
    expect(fired).to.equal(false);
    expect(el.shadowRoot!.querySelector('button')!.disabled).to.equal(true);

    el.disabled = false;
    await el.updateComplete;
    zone.dispatchEvent(new DragEvent('drop', {dataTransfer: new DataTransfer(), cancelable: true}));
    await el.updateComplete;
    expect(fired).to.equal(false);
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.match(/drop a \.zip file/);
  });
});
