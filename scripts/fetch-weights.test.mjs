// node --test: the weights script, offline (no test touches the network; loopback only).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import h5wasm from 'h5wasm/node';

const run = promisify(execFile);
const script = new URL('./fetch-weights.mjs', import.meta.url).pathname;

/** A small Keras weights file: legacy names, NUL-padded, chunked layer_names, a pool with no weights. */
async function fixture(dir) {
  await h5wasm.ready;
  const path = join(dir, 'tiny.h5');
  const file = new h5wasm.File(path, 'w');
  file.create_attribute('layer_names0', ['block1_conv1'], [1], 'A20');
  file.create_attribute('layer_names1', ['block1_pool'], [1], 'A20');
  const conv = file.create_group('block1_conv1');
  conv.create_attribute('weight_names', ['block1_conv1_W_1:0', 'block1_conv1_b_1:0'], [2], 'A30');
  conv.create_dataset({name: 'block1_conv1_W_1:0', data: Float32Array.from({length: 3 * 3 * 3 * 4}, (_, i) => i / 10), shape: [3, 3, 3, 4], dtype: '<f4'});
  conv.create_dataset({name: 'block1_conv1_b_1:0', data: new Float32Array([1, 2, 3, 4]), shape: [4], dtype: '<f4'});
  file.create_group('block1_pool').create_attribute('weight_names', [], [0], 'A1');
  file.close();
  return path;
}

test('converts a Keras .h5 to a tfjs model.json with shards', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tl-weights-'));
  try {
    const h5 = await fixture(dir);
    const out = join(dir, 'model');
    const {stdout} = await run(process.execPath, [script, '--file', h5, '--out', out]);
    assert.match(stdout, /2 weight tensors/);
    assert.match(stdout, /CC BY 4\.0/);
    const model = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    assert.deepEqual(
      model.weightsManifest[0].weights.map((w) => [w.name, w.shape]),
      [['block1_conv1/kernel', [3, 3, 3, 4]], ['block1_conv1/bias', [4]]],
    );
    const shard = await readFile(join(out, model.weightsManifest[0].paths[0]));
    const values = new Float32Array(shard.buffer, shard.byteOffset, shard.byteLength / 4);
    assert.equal(values.length, 108 + 4);
    assert.equal(values[1], Math.fround(0.1));
    assert.deepEqual(Array.from(values.slice(108)), [1, 2, 3, 4]);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('fails fast without a network and says what to do instead', async () => {
  const started = Date.now();
  await assert.rejects(
    run(process.execPath, [script, '--url', 'http://127.0.0.1:9/vgg16.h5', '--out', join(tmpdir(), 'tl-never')]),
    (err) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /Could not download the weights/);
      assert.match(err.stderr, /--file path/);
      return true;
    },
  );
  assert.ok(Date.now() - started < 15_000, 'it should not hang');
});
