// @ts-check
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import puppeteer from 'puppeteer-core';
import {CHROMIUM_ARGS, findChromium} from '../support/chromium.mjs';

/**
 * The system Chromium with a fresh profile. `denyStorageTo` lists origins
 * whose storage the profile blocks (Chromium's "cookies and site data"
 * setting for a site): in them, reading localStorage throws
 * "SecurityError: … Access is denied for this document." and IndexedDB
 * refuses to open — what a third-party frame meets where the user or the
 * browser blocks its storage.
 * @param {{denyStorageTo?: string[]}} [options]
 */
export async function launchBrowser({denyStorageTo = []} = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'transfer-lab-profile-'));
  if (denyStorageTo.length) {
    mkdirSync(join(profile, 'Default'));
    const exceptions = Object.fromEntries(denyStorageTo.map((origin) => [`${origin},*`, {setting: 2}]));
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({profile: {content_settings: {exceptions: {cookies: exceptions}}}}));
  }
  // Puppeteer cuts every protocol call at 3 minutes by default, waitForFunction's and evaluate's
  // included, whatever timeout they were given: the demo in a frame on a busy machine takes longer.
  const browser = await puppeteer.launch({executablePath: findChromium(), headless: true, userDataDir: profile, args: CHROMIUM_ARGS, protocolTimeout: 30 * 60_000});
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, {recursive: true, force: true});
    },
  };
}

/**
 * Page-side helpers, run in the page or frame: the text of everything
 * under the body, through shadow roots, and clicking a button by its text.
 */
export const DEEP = `
  window.__deepText = (root = document.body) => {
    const parts = [];
    const walk = (node) => {
      if (node.shadowRoot) walk(node.shadowRoot);
      if (node.nodeType === 3) parts.push(node.textContent);
      node.childNodes.forEach(walk);
    };
    walk(root);
    return parts.join('').replace(/\\s+/g, ' ');
  };
  window.__buttons = (root = document.body) => {
    const found = [];
    const walk = (node) => {
      if (node.shadowRoot) walk(node.shadowRoot);
      if (node.tagName === 'BUTTON') found.push(node);
      node.childNodes.forEach(walk);
    };
    walk(root);
    return found;
  };
  window.__click = (text) => {
    const button = window.__buttons().find((b) => b.textContent.includes(text) && !b.disabled);
    if (!button) return false;
    button.click();
    return true;
  };
`;

/**
 * @param {import('puppeteer-core').Frame | import('puppeteer-core').Page} frame
 * @param {string | RegExp} text
 * @param {number} timeout
 */
export async function waitForText(frame, text, timeout) {
  const source = text instanceof RegExp ? {regexp: text.source, flags: text.flags} : {text};
  try {
    await frame.waitForFunction(
      (s) => {
        const all = /** @type {any} */ (window).__deepText?.() ?? '';
        return s.text !== undefined ? all.includes(s.text) : new RegExp(s.regexp, s.flags).test(all);
      },
      {timeout, polling: 250},
      source,
    );
  } catch (err) {
    const seen = await frame.evaluate(() => /** @type {any} */ (window).__deepText?.() ?? '').catch(() => '(the page is gone)');
    throw new Error(`${String(text)} did not appear within ${timeout / 1000} s. The page says: ${seen.slice(0, 3000)}`, {cause: err});
  }
}

/**
 * @param {import('puppeteer-core').Frame | import('puppeteer-core').Page} frame
 * @param {string} text
 * @param {number} timeout
 */
export async function clickWhenEnabled(frame, text, timeout) {
  await frame.waitForFunction((t) => /** @type {any} */ (window).__click?.(t), {timeout, polling: 250}, text);
}
