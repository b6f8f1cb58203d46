import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/index.ts';
import type {TlLab} from '../../src/components/tl-lab/tl-lab.ts';
import type {TlStepExport} from '../../src/steps/tl-step-export/tl-step-export.ts';
import {asFile, classFolders, encodeBmp, makeZip} from '../support/dataset-zips.ts';
import {DEMO_WEIGHTS_URL} from '../support/demo-workflow.ts';
import {button, deepQuery, shadowText} from '../support/page.ts';
import {forgetLastVisit} from '../support/storage.ts';

/** Gives files to a file input, as choosing them in the dialog does. */
function chooseFiles(input: HTMLInputElement, files: File[]): void {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', {bubbles: true}));
}

/** Exporting the model from the page, loading the export back, checking it, classifying new images. */
describe('<tl-step-export>', function () {
  beforeEach(() => forgetLastVisit());

  it('exports the head, opens the export, finds the same predictions as the app, and classifies new images', async () => {
    const page = await fixture<TlLab>(html`<tl-lab weights-url=${DEMO_WEIGHTS_URL}><tl-step-export></tl-step-export></tl-lab>`);
    const lab = page.lab!;
    await lab.start();
    await lab.dataset.importFile(asFile(await makeZip(classFolders('', ['circle', 'square'], 6, 21)), 'shapes.zip'), {seed: 3, fractions: {train: 0.5, validation: 0.25, test: 0.25}});
    expect(await lab.features.compute({...lab.features.options, batchSize: 8})).to.equal(true);
    expect(await lab.head.train({...lab.head.options, epochs: 2, batchSize: 4})).to.equal(true);
    expect(await lab.results.evaluate('head')).to.equal(true);

    const step = page.querySelector<TlStepExport>('tl-step-export')!;
    await step.updateComplete;
    expect(button(step, 'Export the fine-tuned model').disabled, 'nothing fine-tuned yet').to.equal(true);
    expect(shadowText(step)).to.contain('Fine-tune first (step 4).');
    button(step, 'Export the head').click();
    await waitUntil(() => /Exported shapes-head-.*\.zip/.test(shadowText(step)), 'not exported', {timeout: 60_000});
    expect(lab.modelUse.exporting.value!.metadata.evaluation!.accuracy).to.equal(lab.results.result!.accuracy);

    button(step, 'Predict with it').click();
    await waitUntil(() => shadowText(step).includes('the head on the conv base'), 'export not opened', {timeout: 60_000});
    expect(shadowText(step)).to.contain('circle, square');
    await step.updateComplete;
    button(step, 'Check it on the test split').click();
    await waitUntil(() => shadowText(step).includes('The same predictions as the app: every one of 4 test images'), `no parity: ${shadowText(step)}`, {
      timeout: 60_000,
    });

    const images = [new File([encodeBmp({seed: 1})], 'first.bmp'), new File([encodeBmp({seed: 2})], 'second.bmp')];
    const zip = asFile(await makeZip({'more/third.bmp': encodeBmp({seed: 3}), 'more/notes.txt': new TextEncoder().encode('not an image')}), 'more.zip');
    expect(await lab.modelUse.predict(images, 9)).to.equal(false);
    await waitUntil(() => shadowText(step).includes('The images could not be classified: InvalidRequestError: Top-k must be a whole number from 1 to 2'), 'no error shown');
    chooseFiles(deepQuery<HTMLInputElement>(step, 'input[type=file][multiple]'), [...images, zip]);
    await waitUntil(() => shadowText(step).includes('3 image(s) classified; 1 other file(s) passed over'), `not classified: ${shadowText(step)}`, {timeout: 60_000});
    const table = deepQuery<HTMLTableElement>(step, 'table[aria-label="Predictions on new images"]');
    expect([...table.tBodies[0]!.rows].map((r) => r.cells[0]!.textContent)).to.have.members(['first.bmp', 'second.bmp', 'more.zip/more/third.bmp']);
    expect(table.tHead!.textContent).to.contain('predicted');
    expect(lab.modelUse.predicting.value!.csv.split('\n')[0]).to.match(/^path,/);
    await expect(page).to.be.accessible();
  });
});
