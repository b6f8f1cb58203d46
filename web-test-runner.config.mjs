// @ts-check
import {existsSync} from 'node:fs';
import {chromeLauncher} from '@web/test-runner-chrome';
import {defaultReporter} from '@web/test-runner';
import {viteBridge} from './test/support/vite-bridge.mjs';
import {summaryReporter} from './test/support/summary-reporter.mjs';

/**
 * The system Chromium, never one that a package downloads (no browser
 * downloads on CI or in classrooms behind a firewall). CHROME_PATH wins.
 */
function findChromium() {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(/** @type {string} */ (path)));
  if (!found) {
    throw new Error(
      `No Chromium-family browser found (looked in ${candidates.join(', ')}). ` +
        'Install one (Debian: apt-get install chromium) or set CHROME_PATH.',
    );
  }
  return found;
}

const bridge = viteBridge();

export default {
  files: ['test/**/*.test.ts'],
  // Tests share one GPU (SwiftShader on CPU-only machines) and two cores: one file at a time.
  concurrency: 1,
  concurrentBrowsers: 1,
  // VGG16 on SwiftShader is slow; wtr's 120 s default would cut real runs short.
  testsFinishTimeout: 30 * 60 * 1000,
  browserStartTimeout: 120 * 1000,
  testFramework: {config: {timeout: 10 * 60 * 1000}},
  plugins: [bridge.plugin],
  middleware: [bridge.middleware],
  reporters: [defaultReporter(), summaryReporter()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: findChromium(),
        headless: true,
        args: [
          '--no-sandbox',
          '--enable-unsafe-webgpu',
          '--enable-unsafe-swiftshader',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
};
