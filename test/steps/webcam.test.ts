import {expect, fixture, html, waitUntil} from '@open-wc/testing';
import '../../src/index.ts';
import type {TlLab} from '../../src/components/tl-lab/tl-lab.ts';
import {cameraProblem} from '../../src/lab/camera.ts';
import type {Lab} from '../../src/lab/lab.ts';
import type {TlLivePredict} from '../../src/steps/tl-live-predict/tl-live-predict.ts';
import type {TlStepWebcam} from '../../src/steps/tl-step-webcam/tl-step-webcam.ts';
import {DEMO_WEIGHTS_URL} from '../support/demo-workflow.ts';
import {button, deepQuery, deepQueryAll, shadowText} from '../support/page.ts';
import {forgetLastVisit} from '../support/storage.ts';

/**
 * The webcam elements with Chromium's fake camera (a moving test pattern:
 * every frame differs; the permission prompt answered "allow"), see
 * test/support/chromium.mjs.
 */

/** Waits until `el` shows `text`; on a timeout, says what it showed instead. */
async function until(el: Element, text: string | RegExp, message: string, timeout = 30_000): Promise<void> {
  try {
    await waitUntil(() => (typeof text === 'string' ? shadowText(el).includes(text) : text.test(shadowText(el))), message, {timeout});
  } catch (err) {
    throw new Error(`${(err as Error).message}; it shows: ${shadowText(el)}`);
  }
}

async function startCamera(step: TlStepWebcam, lab: Lab): Promise<MediaStreamTrack> {
  button(step, 'Start camera').click();
  await waitUntil(() => lab.webcam.camera.state === 'on', 'the camera did not start', {timeout: 10_000});
  await step.updateComplete;
  await waitUntil(() => deepQuery<HTMLVideoElement>(step, 'video').readyState >= HTMLMediaElement.HAVE_CURRENT_DATA, 'no video frame', {timeout: 10_000});
  return lab.webcam.camera.stream!.getVideoTracks()[0]!;
}

async function addClass(step: TlStepWebcam, lab: Lab, name: string): Promise<void> {
  const form = deepQuery<HTMLFormElement>(step, 'form[aria-label="New class"]');
  form.querySelector<HTMLInputElement>('input[name=name]')!.value = name;
  form.requestSubmit();
  await waitUntil(() => lab.webcam.classes.some((c) => c.name === name), `class ${name} not added`, {timeout: 30_000});
  await step.updateComplete;
}

function captureButton(step: TlStepWebcam, name: string): HTMLButtonElement {
  const item = deepQueryAll(step, 'li.class').find((li) => li.querySelector('h3')!.textContent === name)!;
  return item.querySelector<HTMLButtonElement>('button.capture')!;
}

/** Holds Space on a class's focused Capture button until it has `count` frames (or `until` says stop), then lets go. */
async function holdSpace(step: TlStepWebcam, lab: Lab, name: string, count: number): Promise<void> {
  const capture = captureButton(step, name);
  capture.focus();
  capture.dispatchEvent(new KeyboardEvent('keydown', {key: ' ', bubbles: true, composed: true}));
  await waitUntil(() => lab.webcam.classes.find((c) => c.name === name)!.frames.length >= count, `no ${count} frames for ${name}`, {timeout: 20_000});
  capture.dispatchEvent(new KeyboardEvent('keyup', {key: ' ', bubbles: true, composed: true}));
}

const workerTensors = async (lab: Lab) => (await lab.client.runtime.memory()).numTensors;

/** Makes the page look hidden, as switching tabs does, and back. */
function setHidden(hidden: boolean): void {
  if (hidden) Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  else delete (document as {visibilityState?: unknown}).visibilityState;
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('webcam elements (fake camera)', function () {
  beforeEach(() => forgetLastVisit());

  it('trains a webcam dataset through all five steps, then predicts live with a rate, stopping on Stop, a hidden tab and a camera that goes away', async () => {
    const page = await fixture<TlLab>(html`<tl-lab weights-url=${DEMO_WEIGHTS_URL}><tl-step-webcam></tl-step-webcam><tl-live-predict></tl-live-predict></tl-lab>`);
    const lab = page.lab!;
    await lab.start();
    const step = page.querySelector<TlStepWebcam>('tl-step-webcam')!;
    await step.updateComplete;
    expect(button(step, 'Use as dataset').disabled).to.equal(true);
    expect(shadowText(step)).to.contain('Capture some frames first.');
    await startCamera(step, lab);
    for (const name of ['left', 'right']) await addClass(step, lab, name);
    const started = performance.now();
    for (const name of ['left', 'right']) await holdSpace(step, lab, name, 4);
    await waitUntil(() => lab.webcam.capturing === null);
    console.log(`captured ${lab.webcam.frameCount} frames in ${((performance.now() - started) / 1000).toFixed(1)} s of holding Space`);
    expect(deepQueryAll(step, 'ul.frames img').length).to.equal(lab.webcam.frameCount);

    button(step, 'Use as dataset').click();
    await waitUntil(() => lab.dataset.manifest?.name === 'webcam.zip', `not imported: ${shadowText(step)}`, {timeout: 30_000});
    const manifest = lab.dataset.manifest!;
    expect(manifest.classes).to.deep.equal(['left', 'right']);
    expect(new Set(manifest.images.map((i) => i.hash)).size, 'the pattern moves: every frame differs').to.equal(manifest.images.length);
    expect(manifest.counts.validation.every((n) => n >= 1) && manifest.counts.test.every((n) => n >= 1)).to.equal(true);
    await until(step, "Step 1's dataset is made of these frames", 'no note of the dataset');

    expect(await lab.features.compute({...lab.features.options, inputSize: 32, batchSize: 8})).to.equal(true);
    expect(await lab.head.train({...lab.head.options, epochs: 1, batchSize: 4})).to.equal(true);
    expect(await lab.fineTune.start({...lab.fineTune.options, epochs: 1, batchSize: 8})).to.equal(true);
    expect(await lab.results.evaluate('fine-tuned')).to.equal(true);
    expect(lab.results.result!.predictions).to.have.length(manifest.images.filter((i) => i.split === 'test').length);
    lab.webcam.stop();

    const live = page.querySelector<TlLivePredict>('tl-live-predict')!;
    await live.updateComplete;
    expect(deepQuery<HTMLInputElement>(live, 'input[value=fine-tuned]').checked, 'the fine-tuned model by default').to.equal(true);
    const baseline = await workerTensors(lab);
    const run = async () => {
      button(live, 'Start live prediction').click();
      await until(live, /Predicting with the fine-tuned model on \w+ at 32×32: \d+\.\d frames\/s/, 'no rate shown');
      expect(deepQueryAll(live, 'ul.bars li')).to.have.length(2);
      return lab.live.camera.stream!.getVideoTracks()[0]!;
    };

    let track = await run();
    console.log(`live prediction: ${lab.live.rate!.toFixed(1)} frames/s`);
    button(live, 'Stop').click();
    await waitUntil(() => !lab.live.running, 'Stop did not stop it');
    expect(track.readyState, 'its camera track is stopped').to.equal('ended');
    await until(live, /Stopped after \d+ frame\(s\)/, 'no summary');
    expect(await workerTensors(lab), 'no tensor left in the worker').to.equal(baseline);

    track = await run();
    setHidden(true);
    try {
      await waitUntil(() => !lab.live.running, 'a hidden tab did not stop it');
    } finally {
      setHidden(false);
    }
    expect(track.readyState).to.equal('ended');
    await until(live, 'Live prediction stopped. The camera was turned off while this tab was hidden', 'no word of the hidden tab');

    track = await run();
    track.stop(); // as unplugging does; the browser fires `ended` only for that, not for stop()
    track.dispatchEvent(new Event('ended'));
    await waitUntil(() => !lab.live.running, 'a camera that went away did not stop it');
    await until(live, 'Live prediction stopped. The camera stopped: it was unplugged', 'no word of the camera');
    expect(await workerTensors(lab)).to.equal(baseline);
    await expect(page).to.be.accessible();
    page.remove();

    // Alone, after a reload: its own lab brings back the dataset, the fine-tuned model and the weights.
    const column = await fixture<HTMLDivElement>(html`<div style="width: 390px"><tl-live-predict weights-url=${DEMO_WEIGHTS_URL}></tl-live-predict></div>`);
    const alone = column.querySelector<TlLivePredict>('tl-live-predict')!;
    await waitUntil(() => !alone.lab!.live.blocked('fine-tuned'), 'the fine-tuned model not restored', {timeout: 60_000});
    await alone.updateComplete;
    button(alone, 'Start live prediction').click();
    await until(alone, /Predicting with the fine-tuned model on \w+ at 32×32: \d+\.\d frames\/s/, 'no rate shown alone');
    const card = alone.shadowRoot!.querySelector('section')!;
    expect(card.scrollWidth, 'nothing sticks out at 390 px').to.be.at.most(card.clientWidth + 2);
    button(alone, 'Stop').click();
    await waitUntil(() => !alone.lab!.live.running, 'not stopped');
  });

  it('loses no captured frame to a camera that goes away, a refusal, or a reload, and says what each refusal means', async () => {
    // Alone (a lab of its own), in a phone-wide column.
    const page = await fixture<HTMLDivElement>(html`<div style="width: 390px"><tl-step-webcam weights-url="/no-such-dir/model.json"></tl-step-webcam></div>`);
    const step = page.querySelector<TlStepWebcam>('tl-step-webcam')!;
    const lab = step.lab!;
    await step.updateComplete;
    const track = await startCamera(step, lab);
    await addClass(step, lab, 'cup');
    const capture = captureButton(step, 'cup');
    capture.focus();
    capture.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, composed: true}));
    await waitUntil(() => lab.webcam.frameCount === 1, 'Enter took no frame', {timeout: 10_000});
    capture.dispatchEvent(new KeyboardEvent('keydown', {key: ' ', bubbles: true, composed: true}));
    await waitUntil(() => lab.webcam.frameCount >= 2, 'no frames', {timeout: 20_000});
    track.stop();
    track.dispatchEvent(new Event('ended')); // unplugged while Space is still held
    await waitUntil(() => lab.webcam.capturing === null && lab.webcam.camera.state === 'off', 'capturing went on');
    await until(step, 'The camera stopped: it was unplugged', 'no word of the camera');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a frame on its way when it went is kept too
    const kept = lab.webcam.frameCount;
    await until(step, `The ${kept} frame(s) captured so far are kept.`, 'no word of the frames');

    const media = navigator.mediaDevices;
    const cases: Array<[string, string]> = [
      ['NotFoundError', 'No camera was found.'],
      ['NotAllowedError', 'Camera access was refused.'],
      ['NotReadableError', 'another application (a video call?) may be using it'],
    ];
    try {
      for (const [name, words] of cases) {
        media.getUserMedia = () => Promise.reject(new DOMException('refused in a test', name));
        button(step, 'Start camera').click();
        await until(step, words, `no words for ${name}`);
        expect(lab.webcam.frameCount, name).to.equal(kept);
      }
    } finally {
      delete (media as {getUserMedia?: unknown}).getUserMedia; // the prototype's again
    }
    const secure = Object.getOwnPropertyDescriptor(window, 'isSecureContext');
    Object.defineProperty(window, 'isSecureContext', {configurable: true, value: false});
    try {
      button(step, 'Start camera').click();
      await until(step, 'Browsers give the camera only to secure pages (https://, or http://localhost)', 'no word of the insecure page');
    } finally {
      if (secure) Object.defineProperty(window, 'isSecureContext', secure);
      else delete (window as {isSecureContext?: unknown}).isSecureContext;
    }
    const policy = Object.getOwnPropertyDescriptor(document, 'featurePolicy');
    Object.defineProperty(document, 'featurePolicy', {configurable: true, value: {allowsFeature: (feature: string) => feature !== 'camera'}});
    try {
      button(step, 'Start camera').click();
      await until(step, 'allow="camera" on its <iframe>', 'no word of the frame’s policy');
    } finally {
      if (policy) Object.defineProperty(document, 'featurePolicy', policy);
      else delete (document as {featurePolicy?: unknown}).featurePolicy;
    }
    expect(cameraProblem(new DOMException('', 'NotAllowedError'), {inFrame: true}).message, 'a refusal in a frame names the iframe attribute').to.contain(
      'allow="camera" on its <iframe>',
    );
    expect(lab.webcam.frameCount).to.equal(kept);
    await step.updateComplete;
    const card = step.shadowRoot!.querySelector('section')!;
    expect(card.scrollWidth, 'nothing sticks out at 390 px').to.be.at.most(card.clientWidth + 2);
    await expect(step).to.be.accessible();
    page.remove();

    const reloaded = await fixture<TlStepWebcam>(html`<tl-step-webcam weights-url="/no-such-dir/model.json"></tl-step-webcam>`);
    await waitUntil(() => reloaded.lab!.webcam.loaded, 'not restored', {timeout: 30_000});
    expect(reloaded.lab!.webcam.classes.map((c) => [c.name, c.frames.length]), 'every frame is back after a reload').to.deep.equal([['cup', kept]]);
    await reloaded.updateComplete;
    expect(deepQueryAll(reloaded, 'ul.frames img').length).to.equal(kept);
  });
});
