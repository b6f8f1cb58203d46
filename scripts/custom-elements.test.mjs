// node --test: custom-elements.json is what the analyzer makes of the sources now (run `npm run manifest` after changing an element).
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';

const root = new URL('../', import.meta.url).pathname;

test('custom-elements.json is current and lists every element with its attributes, events and parts', async () => {
  // The analyzer joins --outdir to the working directory (and paths in the manifest are relative to it): a scratch folder here.
  const dir = await mkdtemp(join(root, '.cem-check-'));
  try {
    await promisify(execFile)('npx', ['cem', 'analyze', '--outdir', dir.slice(root.length)], {cwd: root});
    const fresh = JSON.parse(await readFile(join(dir, 'custom-elements.json'), 'utf8'));
    const committed = JSON.parse(await readFile(join(root, 'custom-elements.json'), 'utf8'));
    // The analyzer lists modules in the order the file system gives them.
    const byPath = (manifest) => Object.fromEntries(manifest.modules.map((m) => [m.path, m]));
    assert.deepEqual(byPath(committed), byPath(fresh), 'custom-elements.json is stale: run npm run manifest');
    const elements = new Map(fresh.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName, d])));
    for (const tag of ['tl-lab', 'tl-playground', 'tl-demo', 'tl-step-weights', 'tl-step-data', 'tl-step-features', 'tl-step-head', 'tl-step-fine-tune', 'tl-step-results', 'tl-step-webcam', 'tl-live-predict']) {
      assert.ok(elements.has(tag), `${tag} is in the manifest`);
    }
    const head = elements.get('tl-step-head');
    for (const name of ['weights-url', 'dataset-url', 'seed', 'input-size', 'read-only', 'controls']) {
      assert.ok(head.attributes.some((a) => a.name === name), `tl-step-head has ${name}`);
    }
    assert.ok(head.events.some((e) => e.name === 'tl-epoch-end'));
    assert.ok(head.cssParts.some((p) => p.name === 'step'));
    assert.ok(head.cssProperties.some((p) => p.name === '--tl-color-accent'));
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.customElements, 'custom-elements.json');
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
