// @ts-check
/**
 * Screenshots of the production build as users see it, served by the plain
 * static server: a first visit, then after "Run the demo" finished, at a
 * desktop width (1280 px) and a phone width (390 px).
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
  }
} finally {
  await close();
  await server.close();
}
