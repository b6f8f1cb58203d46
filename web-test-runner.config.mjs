// @ts-check
import {chromeLauncher} from '@web/test-runner-chrome';
import {defaultReporter} from '@web/test-runner';
import {viteBridge} from './test/support/vite-bridge.mjs';
import {summaryReporter} from './test/support/summary-reporter.mjs';
import {storageCommandsPlugin} from './test/support/storage-commands-plugin.mjs';
import {CHROMIUM_ARGS, FAKE_CAMERA_ARGS, findChromium} from './test/support/chromium.mjs';

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
  plugins: [bridge.plugin, storageCommandsPlugin()],
  middleware: [bridge.middleware],
  reporters: [defaultReporter(), summaryReporter()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: findChromium(),
        headless: true,
        args: [...CHROMIUM_ARGS, ...FAKE_CAMERA_ARGS],
      },
    }),
  ],
};
