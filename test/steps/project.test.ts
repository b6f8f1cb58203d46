import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/index.ts';
import type {TlLab} from '../../src/components/tl-lab/tl-lab.ts';
import type {Lab} from '../../src/lab/lab.ts';
import {readRunManifest} from '../../src/lab/project.ts';
import type {TlStepProject} from '../../src/steps/tl-step-project/tl-step-project.ts';
import {asFile, classFolders, makeZip} from '../support/dataset-zips.ts';
import {button, deepQuery, shadowText} from '../support/page.ts';
import {clearSiteStorage, forgetLastVisit} from '../support/storage.ts';

/** A lab with the project step, started, in a fresh page. */
async function projectPage(): Promise<{page: TlLab; lab: Lab; step: TlStepProject}> {
  const page = await fixture<TlLab>(html`<tl-lab weights-url="/no-such-dir/model.json"><tl-step-project></tl-step-project><tl-step-data></tl-step-data></tl-lab>`);
  const lab = page.lab!;
  await lab.start();
  return {page, lab, step: page.querySelector('tl-step-project')!};
}

/** Gives a file to a file input, as choosing it in the dialog does. */
function chooseFile(input: HTMLInputElement, file: File): void {
  const files = new DataTransfer();
  files.items.add(file);
  input.files = files.files;
  input.dispatchEvent(new Event('change', {bubbles: true}));
}

const settings = {seed: 2, fractions: {train: 0.5, validation: 0.25, test: 0.25}};

/** Saving and reopening a project, and replaying a run manifest, from the page. */
describe('<tl-step-project>', function () {
  beforeEach(() => forgetLastVisit());

  it('saves the project from the button and opens it in another browser, every step back where it was', async () => {
    const first = await projectPage();
    const {lab} = first;
    await lab.weights.load({kind: 'random', seed: 3});
    await lab.dataset.importFile(asFile(await makeZip(classFolders('', ['left', 'right'], 6, 12)), 'hands.zip'), settings);
    expect(await lab.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'bilinear', batchSize: 8})).to.equal(true);
    expect(await lab.head.train({...lab.head.options, epochs: 2, batchSize: 4})).to.equal(true);
    expect(await lab.results.evaluate('head')).to.equal(true);
    const scored = lab.results.result!;
    await first.step.updateComplete;
    button(first.step, 'Save project').click(); // no Save dialog here (no user gesture): it downloads
    await waitUntil(() => lab.project.saving.status === 'done', 'not saved', {timeout: 60_000});
    await waitUntil(() => /Saved [\d.]+ (KiB|MiB): 12 images, the features of 12, the head, the settings/.test(shadowText(first.step)), `no saved note: ${shadowText(first.step)}`);
    const saved = new File([lab.project.saving.value!.blob!], lab.project.fileName);
    expect(saved.name).to.equal('hands.transferlab.zip');
    first.page.remove();

    await clearSiteStorage();
    const second = await projectPage();
    chooseFile(deepQuery<HTMLInputElement>(second.step, 'input[type=file][accept*=zip]'), saved);
    await waitUntil(() => second.lab.project.opening.status === 'done', 'not opened', {timeout: 60_000});
    await waitUntil(() => shadowText(second.step).includes('Opened hands.zip'), 'no opened note');
    const again = second.lab;
    expect(again.dataset.manifest!.id).to.equal(scored.datasetId);
    expect(again.features.ready!.spec.inputSize).to.equal(32);
    expect(again.head.trained, 'the head is back').to.not.equal(null);
    expect(again.head.options).to.include({epochs: 2, batchSize: 4});
    expect(again.curves.list.map((r) => r.history.length)).to.deep.equal([2]);
    expect(again.results.result!.predictions).to.deep.equal(scored.predictions);
    expect(again.weights.info!.id, 'the random weights loaded again from their seed').to.equal('random-he-uniform:3');
    expect(shadowText(second.page.querySelector('tl-step-data')!)).to.contain('hands.zip: 12 images in 2 classes');
    await expect(second.page).to.be.accessible();
  });

  it('exports a run manifest and replays it in a new lab to the same scores, head and fine-tuned', async () => {
    const first = await projectPage();
    const {lab} = first;
    await lab.weights.load({kind: 'random', seed: 4});
    await lab.dataset.importFile(asFile(await makeZip(classFolders('', ['up', 'down'], 6, 13)), 'arrows.zip'), settings);
    expect(await lab.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'nearest', batchSize: 8})).to.equal(true);
    expect(await lab.head.train({...lab.head.options, epochs: 2, batchSize: 4, seed: 7})).to.equal(true);
    expect(await lab.results.evaluate('head')).to.equal(true);
    expect(await lab.fineTune.start({...lab.fineTune.options, epochs: 1, batchSize: 4, seed: 8})).to.equal(true);
    expect(await lab.results.evaluate('fine-tuned')).to.equal(true);
    const manifest = await readRunManifest(new Blob([JSON.stringify(lab.project.runManifest())]));
    expect(manifest.results.head!.predicted).to.have.length(4);
    expect(manifest.fineTune).to.include({epochs: 1, seed: 8});
    first.page.remove();

    // Another lab on the same dataset: what was cached may be reused, the numbers must come out the same.
    const second = await projectPage();
    await second.lab.dataset.restore();
    expect(second.lab.project.replay.blocked(manifest)).to.equal('');
    expect(await second.lab.project.replay.run(manifest)).to.equal(true);
    expect(second.lab.project.replay.outcome!.ok, second.lab.project.replay.outcome!.text).to.equal(true);
    await second.step.updateComplete;
    expect(shadowText(second.step)).to.match(/Reproduced\. Head: accuracy [\d.]+ %.*every prediction the same; Fine-tuned: accuracy/);

    // A manifest of another dataset says what to load instead.
    const other = {...manifest, dataset: {...manifest.dataset, id: 'another', name: 'other.zip'}};
    expect(await second.lab.project.replay.run(other)).to.equal(false);
    expect(second.lab.project.replay.outcome!.text).to.contain('other.zip');
  });
});
