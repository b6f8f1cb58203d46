// @ts-check

/**
 * Test-runner commands that do to this origin's storage what the browser
 * does for real, through the DevTools protocol on the test's page:
 * - `clear-site-storage` {storageTypes?}: what "Delete browsing data" does
 *   (Storage.clearDataForOrigin): the browser closes every open IndexedDB
 *   connection — the worker's included — under whatever is running.
 * - `set-storage-quota` {quotaSize?}: the origin's quota in bytes
 *   (Storage.overrideQuotaForOrigin), so writes past it fail with the real
 *   QuotaExceededError; without quotaSize, the browser's own quota again.
 * Tests call them with `executeServerCommand(name, payload)`.
 * @returns {import('@web/test-runner').TestRunnerPlugin}
 */
export function storageCommandsPlugin() {
  /** @type {WeakMap<import('puppeteer-core').Page, import('puppeteer-core').CDPSession>} */
  const sessions = new WeakMap();
  return {
    name: 'storage-commands',
    async executeCommand({command, payload, session}) {
      if (command !== 'clear-site-storage' && command !== 'set-storage-quota') return undefined;
      const browser = /** @type {{getPage?: (id: string) => import('puppeteer-core').Page}} */ (/** @type {unknown} */ (session.browser));
      if (typeof browser.getPage !== 'function') throw new Error(`${command} needs the Chrome launcher`);
      const page = browser.getPage(session.id);
      const origin = new URL(page.url()).origin;
      const options = /** @type {{storageTypes?: string, quotaSize?: number}} */ (payload ?? {});
      // One session per page, kept open: a quota override lasts only as long as the session that set it.
      let cdp = sessions.get(page);
      if (!cdp) {
        cdp = await page.createCDPSession();
        sessions.set(page, cdp);
      }
      if (command === 'clear-site-storage') {
        await cdp.send('Storage.clearDataForOrigin', {origin, storageTypes: options.storageTypes ?? 'indexeddb'});
      } else {
        await cdp.send('Storage.overrideQuotaForOrigin', {origin, ...(options.quotaSize === undefined ? {} : {quotaSize: options.quotaSize})});
      }
      return true;
    },
  };
}
