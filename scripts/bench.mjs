#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench [-- name,name]`: runs test/bench/benchmarks.ts in headless
 * Chromium (the system one), served by Vite exactly as the app is, and
 * prints one table. Names: zip-read, import, features-32 (all by default).
 */
import {createServer} from 'vite';
import puppeteer from 'puppeteer-core';
import {CHROMIUM_ARGS, findChromium} from '../test/support/chromium.mjs';

const only = process.argv[2] ?? '';
const vite = await createServer({clearScreen: false, logLevel: 'warn', server: {host: '127.0.0.1', port: 0, hmr: false}});
await vite.listen();
const address = vite.httpServer?.address();
if (!address || typeof address === 'string') throw new Error('Vite did not start');
/** @type {import('puppeteer-core').Browser | undefined} */
let browser;
try {
  // No protocol timeout: a SwiftShader step can keep the page busy for minutes.
  browser = await puppeteer.launch({executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS, protocolTimeout: 0});
  const page = await browser.newPage();
  /** @type {(error: Error) => void} */
  let pageFailed = () => {};
  const failed = new Promise((_, reject) => (pageFailed = reject));
  page.on('console', (message) => {
    if (message.text().startsWith('bench ')) console.error(message.text());
  });
  // A module that fails to load never sets __bench.done: stop on the page's error instead of waiting forever.
  page.on('pageerror', (error) => pageFailed(error instanceof Error ? error : new Error(String(error))));
  page.setDefaultTimeout(0);
  await page.goto(`http://127.0.0.1:${address.port}/test/bench/bench.html?only=${encodeURIComponent(only)}`);
  await Promise.race([page.waitForFunction(() => window.__bench?.done === true, {timeout: 0, polling: 1000}), failed]);
  const result = await page.evaluate(() => window.__bench);
  console.table(result?.rows.map(({bench, label, value, unit}) => ({bench, measure: label, value, unit})));
  if (result?.error) {
    console.error(result.error);
    process.exitCode = 1;
  }
} finally {
  await browser?.close();
  await vite.close();
}
