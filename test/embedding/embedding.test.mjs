// @ts-check
// node --test: the production builds served as files are, where course sites put them.
// Needs both builds (dist/app/ and dist/lib/): `npm run test:embedding` makes them.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, it} from 'node:test';
import {serveStatic} from '../../scripts/static-server.mjs';
import {DEEP, clickWhenEnabled, launchBrowser, waitForText} from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
const ISOLATION = {'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp'};
const MINUTE = 60_000;

for (const built of ['dist/app/index.html', 'dist/lib/transfer-lab.js']) {
  if (!existsSync(ROOT + built)) throw new Error(`${built} is missing: run npm run build first (npm run test:embedding does).`);
}

/** The strict policy, and one that lets blob: workers start but not load blob: scripts (tfjs's threads do both). */
const POLICIES = [
  {csp: STRICT_CSP, reason: /Content-Security-Policy blocks the blob: workers/},
  {csp: "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:", reason: /Content-Security-Policy blocks the blob: scripts/},
];

for (const {csp, reason} of POLICIES) {
  describe(`the course page (examples/course-page.html), served statically with "${csp}"`, () => {
    /** @type {Awaited<ReturnType<typeof serveStatic>>} */ let site;
    /** @type {Awaited<ReturnType<typeof launchBrowser>>} */ let chromium;
    before(async () => {
      // On every response, as a static host configures it: the worker gets the policy too.
      site = await serveStatic({root: ROOT, headers: {'Content-Security-Policy': csp, ...ISOLATION}});
      chromium = await launchBrowser();
    });
    after(async () => {
      await chromium?.close();
      await site?.close();
    });

    it('computes features and trains the head from two step elements, with wasm on one thread and the reason said', async () => {
      const page = await chromium.browser.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.evaluateOnNewDocument(DEEP);
      const started = Date.now();
      await page.goto(`${site.url}/examples/course-page.html`);
      await clickWhenEnabled(page, 'Compute features', 2 * MINUTE);
      const runtime = await page.evaluate(() => /** @type {any} */ (document.querySelector('tl-lab')).lab.runtime.report);
      console.log(`runtime ready after ${((Date.now() - started) / 1000).toFixed(1)} s: inference ${runtime.phases.inference.backend}; ${runtime.wasmThreadsReason}`);
      assert.equal(runtime.crossOriginIsolated, true);
      if (runtime.phases.inference.backend === 'wasm') assert.match(runtime.wasmThreadsReason, reason);
      await waitForText(page, 'Features ready for 500 images (32×32, bicubic, caffe)', 3 * MINUTE);
      await clickWhenEnabled(page, 'Train the head', MINUTE);
      await waitForText(page, 'Trained: epoch 30 of 30', 2 * MINUTE);
      // The page's own script heard the lab's events.
      const log = await page.$eval('#log', (el) => el.textContent);
      assert.match(log ?? '', /^Done! Best validation accuracy \d+\.\d %/);
      assert.deepEqual(errors.filter((e) => /WorkerCrashed|Uncaught/.test(e)), []);
      await page.close();
    });
  });
}

describe('the app in a cross-origin iframe whose storage is blocked', () => {
  /** @type {Awaited<ReturnType<typeof serveStatic>>} */ let app;
  /** @type {Awaited<ReturnType<typeof serveStatic>>} */ let course;
  /** @type {Awaited<ReturnType<typeof launchBrowser>>} */ let chromium;
  /** @type {string} */ let folder;
  before(async () => {
    // Document-Isolation-Policy isolates the app's own frame although the course page is not isolated.
    app = await serveStatic({root: ROOT + 'dist/app', headers: {...ISOLATION, 'Document-Isolation-Policy': 'isolate-and-require-corp'}});
    // Another origin (localhost, not 127.0.0.1): an LMS page that embeds the app, as README's snippet does.
    folder = mkdtempSync(join(tmpdir(), 'transfer-lab-course-'));
    writeFileSync(
      join(folder, 'index.html'),
      `<!doctype html><title>Week 5</title><h1>Week 5: transfer learning</h1>
       <iframe src="${app.url}/index.html" title="Transfer Lab" allow="cross-origin-isolated" style="width:100%;height:900px;border:0"></iframe>`,
    );
    course = await serveStatic({root: folder, host: 'localhost'});
    chromium = await launchBrowser({denyStorageTo: [app.url]});
  });
  after(async () => {
    await chromium?.close();
    await app?.close();
    await course?.close();
    rmSync(folder, {recursive: true, force: true});
  });

  it('says once that nothing will be kept, and runs the offline demo to its end on a phone, no wider than its screen', async () => {
    const page = await chromium.browser.newPage();
    await page.setViewport({width: 390, height: 844});
    await page.evaluateOnNewDocument(DEEP);
    await page.goto(`${course.url}/`);
    const frame = await waitForFrame(page, app.url);
    await waitForText(frame, 'Nothing will be kept after you leave this page', MINUTE);
    const notice = await frame.evaluate(() => /** @type {any} */ (document.querySelector('tl-playground')).lab.notKept);
    console.log(`in the iframe: ${notice}`);
    assert.match(notice, /SecurityError|denied/);
    const isolated = await frame.evaluate(() => globalThis.crossOriginIsolated);
    console.log(`the iframe is ${isolated ? '' : 'not '}cross-origin isolated (Document-Isolation-Policy)`);
    await clickWhenEnabled(frame, 'Run the demo', MINUTE);
    await waitForText(frame, /Done: the fine-tuned model got \d+\.\d % of the test images right/, 6 * MINUTE);
    await waitForText(frame, /Fine-tuned, test split: accuracy \d/, MINUTE);
    // Every step has shown its output now: none may widen the page past the phone's screen.
    const widths = await frame.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide in a ${widths[1]} px frame`);
    await page.close();
  });
});

/** @param {import('puppeteer-core').Page} page @param {string} origin */
async function waitForFrame(page, origin) {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().startsWith(origin));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no frame from ${origin}`);
}
