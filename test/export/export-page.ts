import {TrainerClient} from '../../src/client/trainer-client.ts';
import type {EvaluationResult, ExportMetadata} from '../../src/shared/protocol/index.ts';
import {asFile, encodePicture, makeZip} from '../support/dataset-zips.ts';

/**
 * Trains a head on the demo backbone (pre-trained, so its outputs are not
 * saturated) with a small generated dataset, evaluates it, exports it, and
 * leaves for export.test.mjs: the zip, the evaluation, and the test images'
 * pixels as the app's resize made them (base64).
 */
declare global {
  interface Window {
    __export?: {done: boolean; error?: string; zip?: string; fileName?: string; metadata?: ExportMetadata; evaluation?: EvaluationResult; pixels?: string};
  }
}

const state: NonNullable<Window['__export']> = {done: false};
window.__export = state;
const log = document.getElementById('log')!;

try {
  const files: Record<string, Uint8Array> = {};
  for (const [c, name] of ['stripes', 'blobs'].entries()) {
    for (let i = 0; i < 6; i++) files[`${name}/${name}_${i}.png`] = await encodePicture('png', {width: 28 + i, height: 28, seed: 100 * c + i, grey: c === 1});
  }
  const trainer = TrainerClient.start();
  try {
    await trainer.runtime.configure({});
    await trainer.dataset.importZip({file: asFile(await makeZip(files), 'shapes.zip'), options: {seed: 1, fractions: {train: 0.5, validation: 0.25, test: 0.25}}});
    await trainer.weights.load({kind: 'url', url: '/demo/backbone/model.json'});
    const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'caffe', resize: 'bicubic'});
    await trainer.head.train({spec, options: {epochs: 5, batchSize: 2, seed: 3}});
    const evaluation = await trainer.evaluation.head();
    const exported = await trainer.export.create({model: 'head', evaluation});
    const pixels = await trainer.dataset.pixels({indices: evaluation.predictions.map((p) => p.image), size: 32, resize: 'bicubic'});
    Object.assign(state, {
      zip: base64(new Uint8Array(await exported.zip.arrayBuffer())),
      fileName: exported.fileName,
      metadata: exported.metadata,
      evaluation,
      pixels: base64(pixels),
    });
    log.textContent = `exported ${exported.fileName}`;
  } finally {
    trainer.dispose();
  }
} catch (err) {
  state.error = `${(err as Error).name}: ${(err as Error).message}`;
  log.textContent = state.error;
} finally {
  state.done = true;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
