// @ts-check
// node --test: a model exported by the app, used outside it — the tfjs model
// with plain @tensorflow/tfjs in Node, the Keras .h5 with h5py and numpy.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {after, before, describe, it} from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {Uint8ArrayReader, Uint8ArrayWriter, ZipReader} from '@zip.js/zip.js';
import {createServer} from 'vite';
import {serveStatic} from '../../scripts/static-server.mjs';
import {launchBrowser} from '../embedding/browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const MINUTE = 60_000;
/** The app's probabilities (wasm or WebGPU in Chromium) and Node's (tfjs's cpu backend) agree this closely. */
const TOLERANCE = 1e-4;

/** A python3 with h5py and numpy: $PYTHON, else python3 on the PATH, else Debian's own. */
function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    const probe = spawnSync(/** @type {string} */ (candidate), ['-c', 'import h5py, numpy'], {encoding: 'utf8'});
    if (probe.status === 0) return /** @type {string} */ (candidate);
  }
  return null;
}

describe('a model exported by the app, outside the app', () => {
  /** @type {any} */ let exported;
  /** @type {string} */ let folder;
  /** @type {Awaited<ReturnType<typeof serveStatic>>} */ let files;

  before(async () => {
    // The app's own modules and worker, served by Vite as in development (as scripts/bench.mjs does).
    const vite = await createServer({root: ROOT, clearScreen: false, logLevel: 'warn', server: {host: '127.0.0.1', port: 0, hmr: false}});
    await vite.listen();
    const address = vite.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('Vite did not start');
    const chromium = await launchBrowser();
    try {
      const page = await chromium.browser.newPage();
      // A module that fails to load never sets __export.done: stop on the page's error instead of waiting.
      const failed = new Promise((_, reject) => page.on('pageerror', reject));
      await page.goto(`http://127.0.0.1:${address.port}/test/export/export-page.html`);
      await Promise.race([page.waitForFunction(() => /** @type {any} */ (window).__export?.done === true, {timeout: 4 * MINUTE, polling: 500}), failed]);
      exported = await page.evaluate(() => /** @type {any} */ (window).__export);
    } finally {
      await chromium.close();
      await vite.close();
    }
    assert.equal(exported.error, undefined, exported.error);
    folder = mkdtempSync(join(tmpdir(), 'transfer-lab-export-'));
    const reader = new ZipReader(new Uint8ArrayReader(Buffer.from(exported.zip, 'base64')));
    for (const entry of await reader.getEntries()) {
      if (entry.directory || !entry.getData) continue;
      mkdirSync(dirname(join(folder, entry.filename)), {recursive: true});
      writeFileSync(join(folder, entry.filename), await entry.getData(new Uint8ArrayWriter()));
    }
    await reader.close();
    files = await serveStatic({root: folder});
  });

  after(async () => {
    await files?.close();
    if (folder) rmSync(folder, {recursive: true, force: true});
  });

  /** The app's test images as metadata.json says to prepare them: x = (pixels in channelOrder − mean) × scale. */
  function inputs() {
    const {metadata, evaluation} = exported;
    const {height, width} = metadata.input;
    const {channelOrder, mean, scale} = metadata.preprocessing;
    const pixels = Buffer.from(exported.pixels, 'base64');
    return tf.tidy(() => {
      const rgb = tf.tensor4d(new Int32Array(pixels), [evaluation.predictions.length, height, width, 3]).toFloat();
      return (channelOrder === 'BGR' ? rgb.reverse(-1) : rgb).sub(tf.tensor1d(mean)).mul(scale);
    });
  }

  /** The app's probability of classes[1] for each test image (two classes: a sigmoid). */
  function appProbabilities() {
    return exported.evaluation.predictions.map((/** @type {any} */ p) => (p.predicted === 1 ? p.probability : 1 - p.probability));
  }

  it('loads tfjs/model.json with plain @tensorflow/tfjs in Node and predicts what the app predicted', async () => {
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(`${files.url}/tfjs/model.json`);
    const x = inputs();
    const scores = /** @type {tf.Tensor} */ (model.predict(x));
    const ours = /** @type {number[][]} */ (await scores.array()).map((row) => row[0]);
    tf.dispose([x, scores]);
    model.dispose();
    const app = appProbabilities();
    const worst = Math.max(...ours.map((p, i) => Math.abs(p - app[i])));
    console.log(`Node tfjs (cpu) vs the app on ${app.length} test images: max |Δp| ${worst.toExponential(2)}; p = ${ours.map((p) => p.toFixed(4)).join(', ')}`);
    assert.ok(worst <= TOLERANCE, `max |Δp| ${worst}`);
  });

  it('reads keras/model.h5 with h5py, rebuilds the network from its model_config in numpy and predicts what the app predicted', (t) => {
    const python = findPython();
    if (!python) return t.skip('no python3 with h5py and numpy (Debian: apt-get install python3-h5py)');
    const {height, width} = exported.metadata.input;
    const cases = join(folder, 'cases.json');
    const pixels = [...Buffer.from(exported.pixels, 'base64')];
    writeFileSync(cases, JSON.stringify({pixels: {shape: [pixels.length / (height * width * 3), height, width, 3], values: pixels}, expected: appProbabilities().map((p) => [p])}));
    const run = spawnSync(python, [join(ROOT, 'scripts/export/check_keras_h5.py'), join(folder, 'keras/model.h5'), '--metadata', join(folder, 'metadata.json'), '--cases', cases, '--tolerance', String(TOLERANCE)], {
      encoding: 'utf8',
    });
    console.log(run.stdout.trim());
    assert.equal(run.status, 0, run.stderr || run.stdout);
  });
});
