// @ts-check
/**
 * Screenshots of the production build as users see it, served by the plain
 * static server: a first visit, then after "Run the demo" finished, at a
 * desktop width (1280 px) and a phone width (390 px); then step 5 with
 * "Show where it looks" on, and its first mistake opened large (desktop).
 *
 *   npm run build && node scripts/screenshots.mjs [--out docs/screenshots] [--no-demo]
 */
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {launchBrowser} from '../test/embedding/browser.mjs';
import {serveStatic} from './static-server.mjs';

const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'docs/screenshots';
const withDemo = !args.includes('--no-demo');
mkdirSync(out, {recursive: true});

const isolation = {'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp'};
const server = await serveStatic({root: 'dist/app', headers: isolation});
const {browser, close} = await launchBrowser();
try {
  const page = await browser.newPage();
  const shoot = async (name) => {
    for (const [label, width] of [['1280', 1280], ['390', 390]]) {
      await page.setViewport({width, height: 900, deviceScaleFactor: 1});
      await new Promise((r) => setTimeout(r, 400));
      const file = join(out, `${name}-${label}.png`);
      await page.screenshot({path: file, fullPage: true});
      console.log(file);
    }
  };
  await page.setViewport({width: 1280, height: 900});
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => document.querySelector('tl-playground')?.lab?.runtime?.report, {timeout: 120_000});
  await new Promise((r) => setTimeout(r, 1500));
  await shoot('first-visit');
  if (withDemo) {
    await page.evaluate(() => void document.querySelector('tl-playground').lab.demo.run());
    await page.waitForFunction(() => document.querySelector('tl-playground').lab.results.result, {timeout: 600_000, polling: 1000});
    await new Promise((r) => setTimeout(r, 1500));
    await shoot('after-demo');
    await page.setViewport({width: 1280, height: 900, deviceScaleFactor: 1});
    await page.evaluate(() => {
      const lab = document.querySelector('tl-playground').lab;
      document.querySelector('tl-playground').shadowRoot.querySelector('tl-step-results').scrollIntoView();
      lab.explain.setShown(true);
    });
    // The gallery asks for the maps of what it shows, mistakes first, a few per job.
    await page.waitForFunction(() => document.querySelector('tl-playground').lab.explain.maps.size >= 16, {timeout: 300_000, polling: 500});
    await new Promise((r) => setTimeout(r, 800));
    const results = await page.evaluateHandle(() => document.querySelector('tl-playground').shadowRoot.querySelector('tl-step-results'));
    await results.asElement().screenshot({path: join(out, 'where-it-looks-1280.png')});
    console.log(join(out, 'where-it-looks-1280.png'));
    await page.evaluate(() => {
      const lab = document.querySelector('tl-playground').lab;
      const mistake = lab.results.result.predictions.find((p) => p.predicted !== p.truth) ?? lab.results.result.predictions[0];
      lab.explain.open(mistake.image);
    });
    await page.waitForFunction(() => document.querySelector('tl-playground').lab.explain.view?.pixels, {timeout: 120_000, polling: 500});
    await new Promise((r) => setTimeout(r, 800));
    await page.screenshot({path: join(out, 'where-it-looks-large-1280.png')});
    console.log(join(out, 'where-it-looks-large-1280.png'));
  }
} finally {
  await close();
  await server.close();
}
