// @ts-check
import {existsSync} from 'node:fs';

/**
 * The system Chromium, never one that a package downloads (no browser
 * downloads on CI or in classrooms behind a firewall). CHROME_PATH wins.
 */
export function findChromium() {
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

/**
 * Flags that work headless as root on a CPU-only machine: WebGPU then runs
 * on SwiftShader (slow, but real), and Chromium makes no network calls.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Chromium's fake camera (a moving test pattern, so every frame differs)
 * with its permission prompt answered "allow": for the webcam tests. The
 * test runner adds these; nothing else in a test asks for media.
 */
export const FAKE_CAMERA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
