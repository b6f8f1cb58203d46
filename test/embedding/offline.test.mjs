// @ts-check
// node --test: the app build's service worker, for real: one visit online, then no network at all.
// Needs both builds (dist/app/ and dist/lib/): `npm run test:embedding` makes them.
import assert from 'node:assert/strict';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import {after, before, describe, it} from 'node:test';
import {serveStatic} from '../../scripts/static-server.mjs';
import {DEEP, launchBrowser, waitForText} from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const APP = ROOT + 'dist/app/';
const LIB = ROOT + 'dist/lib/';
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Document-Isolation-Policy': 'isolate-and-require-corp',
};
const MINUTE = 60_000;
/** `lab()` in the page: the playground's lab, driven as scripts/screenshots.mjs does (the functions below run in the page). */
const LAB = 'window.lab = () => document.querySelector("tl-playground")?.lab;';
/** @type {() => any} */
let lab; // declared for the type checker only: page.evaluate runs the functions in the page, where LAB defines it

for (const built of ['dist/app/index.html', 'dist/app/sw.js', 'dist/lib/transfer-lab.js']) {
  if (!existsSync(ROOT + built)) throw new Error(`${built} is missing: run npm run build first (npm run test:embedding does).`);
}

describe('the app offline: its service worker and what it keeps', () => {
  const sw = readFileSync(APP + 'sw.js', 'utf8');
  /** What the precache manifest written into sw.js lists. */
  const precached = [...sw.matchAll(/\{url:"([^"]+)",revision:/g)].map((m) => m[1]);

  it('precaches the page, every script, the three wasm binaries and the demo, not the VGG16 shards; the library registers none', () => {
    const app = readdirSync(APP + 'assets').map((f) => readFileSync(APP + 'assets/' + f, 'latin1')).join('\n');
    assert.match(app, /serviceWorker\.register/, 'the check below would prove nothing');
    const assets = readdirSync(APP + 'assets').filter((f) => /\.(js|css|wasm)$/.test(f));
    console.log(`precache: ${precached.length} files`);
    assert.ok(precached.includes('index.html'));
    for (const asset of assets) assert.ok(precached.includes(`assets/${asset}`), `assets/${asset} is not precached`);
    for (const wasm of ['tfjs-backend-wasm-', 'tfjs-backend-wasm-simd-', 'tfjs-backend-wasm-threaded-simd-']) {
      assert.equal(precached.filter((u) => u.startsWith(`assets/${wasm}`) && u.endsWith('.wasm') && !u.slice(`assets/${wasm}`.length).includes('-')).length, 1, `${wasm}*.wasm`);
    }
    assert.ok(precached.some((u) => /^assets\/trainer\.worker-.*\.js$/.test(u)), 'the trainer worker');
    for (const demo of ['demo/backbone/model.json', 'demo/backbone/group1-shard1of1.bin', 'demo/fashion-bag-vs-boot.zip']) assert.ok(precached.includes(demo), demo);
    assert.deepEqual(precached.filter((u) => u.startsWith('models/')), [], 'VGG16 shards go to the runtime cache');
    assert.match(sw, /registerRoute\(\/\\\/models\\\/vgg16\\\/\/,new \w+\.CacheFirst\(\{cacheName:"transfer-lab-vgg16-weights"/);
    assert.equal(existsSync(LIB + 'sw.js'), false);
    for (const file of readdirSync(LIB, {recursive: true}).map(String).filter((f) => f.endsWith('.js'))) {
      assert.doesNotMatch(readFileSync(LIB + file, 'utf8'), /serviceWorker\.register|workbox-window/, `dist/lib/${file}`);
    }
  });

  describe('one visit, then offline', () => {
    /** @type {Awaited<ReturnType<typeof serveStatic>> | undefined} */ let site;
    /** @type {Awaited<ReturnType<typeof launchBrowser>>} */ let chromium;
    before(async () => {
      site = await serveStatic({root: APP, headers: ISOLATION});
      chromium = await launchBrowser();
    });
    after(async () => {
      await chromium?.close();
      await site?.close();
    });

    it('opens without a network, cross-origin isolated, and imports, trains, fine-tunes, evaluates and manages storage', async () => {
      const url = `${site?.url}/index.html`;
      // A site the user keeps: Chromium grants persistent storage by its own rules, which a fresh profile never meets.
      await chromium.browser.defaultBrowserContext().overridePermissions(site?.url ?? '', ['persistent-storage']);
      const page = await chromium.browser.newPage();
      const errors = /** @type {string[]} */ ([]);
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.evaluateOnNewDocument(DEEP + LAB);
      await page.goto(url);
      await waitForText(page, 'Ready offline: the app, its worker, the wasm backends and the demo are saved in this browser', 2 * MINUTE);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null && lab().storage.offline.files, {timeout: MINUTE});
      const online = await page.evaluate(() => ({isolated: globalThis.crossOriginIsolated, files: lab().storage.offline.files}));
      console.log(`online: cross-origin isolated ${online.isolated}; offline copy ${online.files?.count} files, ${((online.files?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB`);
      assert.equal(online.isolated, true);
      assert.equal(online.files.count, precached.length, 'every file of the precache is saved');

      // No network at all: the server is gone, and the page is offline too.
      await site?.close();
      site = undefined;
      await page.setOfflineMode(true);
      const started = Date.now();
      await page.reload();
      await page.waitForFunction(() => lab()?.runtime.report, {timeout: 2 * MINUTE});
      const offline = await page.evaluate(async () => ({
        isolated: globalThis.crossOriginIsolated,
        controlled: navigator.serviceWorker.controller !== null,
        // Anything the service worker does not keep must fail now.
        uncached: await fetch('./no-such-file.txt').then(
          (r) => `HTTP ${r.status}`,
          () => 'failed',
        ),
        threads: lab().runtime.report.wasmThreads,
      }));
      console.log(`offline reload: runtime ready in ${((Date.now() - started) / 1000).toFixed(1)} s; isolated ${offline.isolated}; wasm threads ${offline.threads}`);
      assert.deepEqual({isolated: offline.isolated, controlled: offline.controlled, uncached: offline.uncached}, {isolated: true, controlled: true, uncached: 'failed'});

      // The whole workflow from the offline copy, with tiny settings (the demo backbone at 32×32, few epochs).
      const steps = await page.evaluate(async () => {
        const l = lab();
        const done = /** @type {Record<string, boolean | string>} */ ({});
        const step = async (/** @type {string} */ name, /** @type {{run: any}} */ model, /** @type {() => Promise<boolean>} */ action) => {
          const t = performance.now();
          const ok = await action();
          done[name] = ok ? `${((performance.now() - t) / 1000).toFixed(1)} s` : `failed: ${model.run.error?.name}: ${model.run.error?.message}`;
          return ok;
        };
        (await step('weights', l.weights, () => l.weights.load({kind: 'url', url: 'demo/backbone/model.json'}))) &&
          (await step('import', l.dataset, () => l.dataset.importUrl('demo/fashion-bag-vs-boot.zip', {}))) &&
          (await step('features', l.features, () => l.features.compute({inputSize: 32, resize: 'bicubic', preprocessing: 'caffe', batchSize: 50}))) &&
          (await step('head', l.head, () => l.head.train({...l.head.options, epochs: 3}))) &&
          (await step('fine-tune', l.fineTune, () => l.fineTune.start({...l.fineTune.options, epochs: 1, augment: {rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, shearRange: 0, zoomRange: 0.1, horizontalFlip: false}}))) &&
          (await step('evaluate', l.results, () => l.results.evaluate('fine-tuned')));
        return {done, accuracy: l.results.result?.accuracy};
      });
      console.log(`offline workflow: ${JSON.stringify(steps.done)}; fine-tuned test accuracy ${steps.accuracy}`);
      assert.deepEqual(Object.keys(steps.done), ['weights', 'import', 'features', 'head', 'fine-tune', 'evaluate']);
      for (const [name, outcome] of Object.entries(steps.done)) assert.match(String(outcome), /s$/, `${name}: ${outcome}`);
      await waitForText(page, /Fine-tuned, test split: accuracy \d/, MINUTE);

      // Asked after the first import, and granted (the permission above).
      await waitForText(page, 'Kept until you delete it: the browser granted persistent storage.', MINUTE);

      // Every item with the bytes it takes.
      const {listed, ms} = await page.evaluate(async () => {
        const t = performance.now();
        await lab().storage.refresh();
        return {
          listed: lab().storage.items.map((/** @type {any} */ i) => ({kind: i.kind, bytes: i.bytes, inUse: i.inUse, label: i.label})),
          ms: performance.now() - t,
        };
      });
      console.log(`storage (listed in ${ms.toFixed(0)} ms): ${listed.map((i) => `${i.kind} ${(i.bytes / 1024).toFixed(0)} KiB${i.inUse ? ' (in use)' : ''}`).join(', ')}`);
      for (const kind of ['dataset', 'features', 'weights', 'head', 'checkpoint']) {
        const item = listed.find((i) => i.kind === kind);
        assert.ok(item && item.bytes > 0 && item.inUse, `${kind}: ${JSON.stringify(item)}`);
      }
      assert.ok(listed.find((i) => i.kind === 'dataset').bytes >= 342_967, 'the zip itself is kept');
      await waitForText(page, 'Dataset: fashion-bag-vs-boot.zip: 500 images in 2 classes', MINUTE);
      await waitForText(page, /This site uses \d+\.\d [KMG]iB of the/, MINUTE);

      // Deleting through the page: the checkpoint, then the loaded dataset; each goes, and the steps say what that means.
      await deleteThroughPage(page, 'checkpoint');
      await waitForText(page, 'Fine-tuning starts again from epoch 1, and step 5 waits for a fine-tuned model.', MINUTE);
      await waitForText(page, 'Fine-tune first (step 4).', MINUTE);
      await deleteThroughPage(page, 'dataset');
      await waitForText(page, 'It was the loaded dataset: drop a zip in step 1 to go on.', MINUTE);
      await waitForText(page, 'Waiting for a dataset (step 1).', MINUTE);
      const left = await page.evaluate(() => lab().storage.items.map((/** @type {any} */ i) => i.kind));
      assert.deepEqual(left.filter((k) => k === 'checkpoint' || k === 'dataset'), []);
      assert.deepEqual(errors, []);
      await page.close();
    });
  });
});

/**
 * Presses "Delete…" on the item of this kind, then "Delete it" in its confirmation, and waits until it has gone from the list.
 * @param {import('puppeteer-core').Page} page @param {string} kind
 */
async function deleteThroughPage(page, kind) {
  await page.evaluate((k) => {
    const buttons = /** @type {any} */ (window).__buttons();
    buttons.find((/** @type {HTMLButtonElement} */ b) => b.getAttribute('aria-label')?.startsWith(`Delete ${k}:`)).click();
  }, kind);
  await page.waitForFunction(() => /** @type {any} */ (window).__click('Delete it'), {timeout: MINUTE, polling: 250});
  await page.waitForFunction((k) => !lab().storage.removing && !lab().storage.items.some((/** @type {any} */ i) => i.kind === k), {timeout: MINUTE, polling: 250}, kind);
}
