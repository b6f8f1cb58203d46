import {ContextProvider} from '@lit/context';
import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/steps/tl-step-results/tl-step-results.ts';
import type {TlStepResults} from '../../src/steps/tl-step-results/tl-step-results.ts';
import {Lab} from '../../src/lab/lab.ts';
import {labContext} from '../../src/lab/lab-context.ts';
import {SavedChoices} from '../../src/lab/saved-choices.ts';
import {accuracyOf, confusionMatrix, perClassMetrics} from '../../src/shared/metrics.ts';
import type {DatasetManifest, EvaluationResult, GradCamRequest, ImagePrediction} from '../../src/shared/protocol/index.ts';
import {fakeWorker, type FakeWorker} from '../support/fake-client.ts';
import {deepQuery, deepQueryAll, shadowText} from '../support/page.ts';
import {sampleManifest} from '../support/sample-manifest.ts';

const MISTAKES = new Map([[13, 0.9], [17, 0.8], [5, 0.7]]);

/** 20 test images of classes a and b; the model gets 13, 17 and 5 wrong (most confident first), the rest right. */
function twentyTestImages(): {manifest: DatasetManifest; evaluation: EvaluationResult} {
  const base = sampleManifest();
  const thumbnail = base.images[0]!.thumbnail;
  const images = Array.from({length: 20}, (_, i) => ({...base.images[0]!, hash: String(i).padStart(64, '0'), path: `test/${i}.jpg`, label: i % 2, split: 'test' as const, thumbnail}));
  const manifest: DatasetManifest = {...base, id: 'twenty', classes: ['a', 'b'], images, counts: {train: [0, 0], validation: [0, 0], test: [10, 10]}};
  const predictions: ImagePrediction[] = images.map((image, i) => ({
    image: i,
    truth: image.label,
    predicted: MISTAKES.has(i) ? 1 - image.label : image.label,
    probability: MISTAKES.get(i) ?? 0.6,
  }));
  const confusion = confusionMatrix(predictions.map((p) => p.truth), predictions.map((p) => p.predicted), 2);
  const evaluation: EvaluationResult = {split: 'test', model: 'head', datasetId: 'twenty', loss: 0.4, accuracy: accuracyOf(confusion), confusion, perClass: perClassMetrics(confusion), predictions, classes: manifest.classes};
  return {manifest, evaluation};
}

async function evaluatedLab(fake: FakeWorker): Promise<Lab> {
  const {manifest, evaluation} = twentyTestImages();
  fake.answers.manifest = manifest;
  fake.answers.evaluation = () => ({...evaluation}); // a new object each time, as from the worker
  const features = fake.answers.features;
  fake.answers.features = () => ({...features(), datasetId: manifest.id});
  const values = new Map<string, string>();
  const lab = new Lab({client: fake.client, choices: new SavedChoices(() => ({getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v), removeItem: (k) => void values.delete(k)}))});
  await lab.dataset.importFile(new File([], 'twenty.zip'));
  await lab.weights.load({kind: 'random', seed: 1});
  await lab.features.compute();
  await lab.head.train();
  await lab.results.evaluate('head');
  return lab;
}

/** Which images of the gallery have a heat map drawn over them, in display order. */
function withMaps(el: Element): number[] {
  return deepQueryAll(el, '[part=item]')
    .filter((item) => item.querySelector('tl-heat-map'))
    .map((item) => Number(/test\/(\d+)\.jpg/.exec(item.getAttribute('title')!)![1]));
}

const explained = (fake: FakeWorker) => fake.requests.filter((r) => r.name === 'explain.gradCam').map((r) => r.request as GradCamRequest);

describe('"Show where it looks" in step 5', () => {
  it('overlays maps for the mistakes first, lazily; the opacity control works; an image opens large with the class to explain', async () => {
    const fake = fakeWorker();
    const lab = await evaluatedLab(fake);
    const host = await fixture<HTMLDivElement>(html`<div style="width: 760px"></div>`);
    new ContextProvider(host, {context: labContext, initialValue: lab});
    host.innerHTML = '<tl-step-results controls="none"></tl-step-results>';
    const el = host.firstElementChild as TlStepResults;
    await waitUntil(() => deepQueryAll(el, '[part=item]').length === 20, 'gallery not rendered');
    expect(withMaps(el)).to.deep.equal([]);

    // The toggle: the first job asks for the mistakes, the most confident first, and nothing is drawn until it answers.
    fake.hold.add('explain.gradCam');
    deepQuery<HTMLInputElement>(el, 'input[type=checkbox]').click();
    await waitUntil(() => explained(fake).length === 1, 'no maps asked for');
    expect(explained(fake)[0]!.images.slice(0, 3)).to.deep.equal([13, 17, 5]);
    expect(explained(fake)[0]).to.include({model: 'head', target: null});
    expect(withMaps(el)).to.deep.equal([]);
    expect(deepQueryAll(el, '.pending').length).to.equal(20);
    const first = explained(fake)[0]!.images;
    fake.release('explain.gradCam');
    await waitUntil(() => withMaps(el).length === first.length, 'first maps not drawn');
    expect(withMaps(el)).to.deep.equal(first);
    expect(shadowText(el)).to.include('computed on wasm');
    // The rest, in the next jobs.
    fake.hold.delete('explain.gradCam');
    fake.release('explain.gradCam');
    await waitUntil(() => withMaps(el).length === 20, 'not every map drawn');
    expect(explained(fake).flatMap((r) => r.images).sort((x, y) => x - y)).to.deep.equal([...Array(20).keys()]);
    const thirteen = deepQueryAll(el, '[part=item]')[0]!;
    expect(thirteen.querySelector('tl-heat-map')!.getAttribute('label')).to.equal('Heat map for a: looks mostly at the bottom left');

    // Opacity: the maps' canvases follow the slider.
    const slider = deepQuery<HTMLInputElement>(el, 'input[type=range]');
    slider.value = '0.3';
    slider.dispatchEvent(new Event('input'));
    await waitUntil(() => lab.explain.opacity === 0.3);
    await el.updateComplete;
    await waitUntil(() => deepQueryAll<HTMLCanvasElement>(el, 'tl-heat-map canvas.heat').every((c) => getComputedStyle(c).opacity === '0.3'), 'opacity not applied');

    // Large: the pixels the network saw, the predicted class's map, then another class's.
    thirteen.querySelector<HTMLButtonElement>('button.thumb')!.click();
    await waitUntil(() => deepQueryAll(el, 'tl-explain-view').length === 1, 'no large view');
    const view = deepQuery(el, 'tl-explain-view');
    await waitUntil(() => deepQuery<HTMLDialogElement>(view, 'dialog').open, 'dialog not open');
    await waitUntil(() => shadowText(view).includes('For a, it looks mostly at the bottom left.'), 'no description');
    await waitUntil(() => deepQueryAll(view, 'canvas.image').length === 1, 'no pixels');
    expect(shadowText(view)).to.include('predicted a (90 %), truly b');
    const select = deepQuery<HTMLSelectElement>(view, 'select');
    select.value = '1';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => shadowText(view).includes('For b, it looks mostly at the top right.'), 'other class not explained');
    expect(explained(fake).at(-1)).to.include({target: 1});
    expect(explained(fake).at(-1)!.images).to.deep.equal([13]);
    await expect(host).to.be.accessible();

    deepQuery<HTMLDialogElement>(view, 'dialog').close();
    await waitUntil(() => deepQueryAll(el, 'tl-explain-view').length === 0, 'view not closed');
  });

  it('cancels the job in progress when the toggle is turned off', async () => {
    const fake = fakeWorker();
    const lab = await evaluatedLab(fake);
    fake.hold.add('explain.gradCam');
    lab.explain.setShown(true);
    lab.explain.inView([13, 17, 5]);
    await waitUntil(() => lab.explain.run.running, 'no job');
    lab.explain.setShown(false);
    await waitUntil(() => lab.explain.run.status === 'cancelled', 'not cancelled');
    expect(lab.explain.maps.size).to.equal(0);
    // A new evaluation drops the maps of the old one.
    fake.hold.delete('explain.gradCam');
    lab.explain.setShown(true);
    await waitUntil(() => lab.explain.maps.size === 3, 'maps not made');
    await lab.results.evaluate('head');
    expect(lab.explain.maps.size).to.equal(0);
  });
});
