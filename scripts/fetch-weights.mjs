#!/usr/bin/env node
// @ts-check
/**
 * `npm run weights`: downloads Keras's VGG16 ImageNet weights without top,
 * checks size and MD5, converts them to a tfjs layers model in
 * public/models/vgg16/ (git-ignored), and prints the licence attribution.
 * `npm run weights -- --file path/to/weights.h5` converts a copy you have
 * (a classroom behind a firewall). Without network it fails fast and says
 * what to do instead.
 */
import {readFile, writeFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {convertKerasH5, md5} from './lib/keras-h5-to-tfjs.mjs';

const URL_DEFAULT = 'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5';
const SIZE = 58_889_256;
const MD5 = '6d6bbae143d832006294945121d1f1fc';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const outDir = option('--out') ?? 'public/models/vgg16';
const url = option('--url') ?? URL_DEFAULT;
const localFile = option('--file');

async function main() {
  let h5Path = localFile;
  let tempDir;
  if (!h5Path) {
    console.log(`Downloading ${url} …`);
    let bytes;
    try {
      const response = await fetch(url, {signal: AbortSignal.timeout(20_000)});
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      console.error(
        `Could not download the weights (${err instanceof Error ? err.message : err}).\n` +
          'Without internet: get vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 elsewhere, then either\n' +
          '  npm run weights -- --file path/to/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5\n' +
          'or pick the file in the playground (step "VGG16 weights"). "Use random weights" runs without any.',
      );
      process.exitCode = 1;
      return;
    }
    if (bytes.length !== SIZE || md5(bytes) !== MD5) {
      console.error(`The download is not the expected file: ${bytes.length} bytes, MD5 ${md5(bytes)} (expected ${SIZE} bytes, MD5 ${MD5}).`);
      process.exitCode = 1;
      return;
    }
    tempDir = await mkdtemp(join(tmpdir(), 'vgg16-'));
    h5Path = join(tempDir, 'vgg16_notop.h5');
    await writeFile(h5Path, bytes);
  } else {
    const bytes = await readFile(h5Path);
    if (md5(bytes) !== MD5) console.warn(`Note: ${h5Path} is not the official file (MD5 ${md5(bytes)}); converting it anyway, the app checks its layout.`);
  }
  try {
    const {weights, bytes, shards} = await convertKerasH5(h5Path, outDir);
    console.log(`Wrote ${outDir}/model.json: ${weights} weight tensors, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${shards} shards.`);
    console.log(
      'VGG16 ImageNet weights: Karen Simonyan and Andrew Zisserman, "Very Deep Convolutional Networks for Large-Scale\n' +
        'Image Recognition" (2014), released under CC BY 4.0; Keras Applications distribution. Credit them when you share results.',
    );
  } catch (err) {
    console.error(`Could not convert ${h5Path}: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  } finally {
    if (tempDir) await rm(tempDir, {recursive: true, force: true});
  }
}

await main();
