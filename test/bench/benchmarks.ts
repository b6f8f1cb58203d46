import {BlobReader, Uint8ArrayWriter, ZipReader, configure, type FileEntry, type Reader} from '@zip.js/zip.js';
import {TrainerClient} from '../../src/client/trainer-client.ts';
import type {BackendName, WeightsSource} from '../../src/shared/protocol/index.ts';
import {ReadAheadBlobReader} from '../../workers/dataset/read-ahead-reader.ts';
import {asFile, encodePicture, makeZip, type ZipContent} from '../support/dataset-zips.ts';
import {makeImages} from '../support/fixtures.ts';
import {DEMO} from '../../src/shared/demo.ts';
import {DEMO_WEIGHTS_URL, runDemoWorkflow, type DemoScores} from '../support/demo-workflow.ts';
import {batchVariants, compareVariants, featureVariants, fineTuneVariants, rowsOf} from './wasm-training-bench.ts';
import {webgpuKernels} from './webgpu-kernels.ts';

export interface BenchRow {
  bench?: string;
  label: string;
  value: number;
  unit: string;
}

/**
 * Entries that print rows of their own, run by name (`npm run bench --
 * zip-read,demo`). The measures that set ours beside stock tfjs and
 * PyTorch are in measures.ts. Speed is measured here, never asserted in a
 * test. Alternatives run side by side in one page and one run, and are
 * reported as ratios: this machine is shared and noisy, so absolute
 * numbers from separate runs mislead.
 */
export const BENCHMARKS: Record<string, () => Promise<BenchRow[]>> = {
  'zip-read': zipRead,
  import: importThousands,
  'webgpu-kernels': webgpuKernels,
  'feature-cache': featureCache,
  // Whole epochs through the app's worker, per training backend (fine-tune-32/150 in measures.ts time one step).
  'fine-tune-epoch-32': () => fineTuneEpochs(32, ['wasm', 'webgl', 'cpu', 'webgpu']),
  // Only wasm and WebGL at 150: minutes per image elsewhere on SwiftShader; a fresh worker of its own.
  'fine-tune-epoch-150': () => fineTuneEpochs(150, ['wasm', 'webgl']),
  'grad-cam-32': () => gradCam(32, 8, true),
  // The head only at 150: a fine-tuned model there takes a while to make.
  'grad-cam-150': () => gradCam(150, 4, false),
  demo: demoAccuracies,
  // Fine-tuning and features on wasm, step by step from tfjs's stock kernels (each variant in its own worker, best of the rounds).
  'wasm-training-32': async () => rowsOf(await compareVariants(fineTuneVariants(32, 16), 3)),
  'wasm-training-150': async () => rowsOf(await compareVariants([...featureVariants(150, 8), ...fineTuneVariants(150, 8)], 2)),
  'wasm-batch-150': async () => rowsOf(await compareVariants(batchVariants(150, [4, 8, 16]), 2)),
  // Short runs, many rounds: on a shared machine the best of them is the one least disturbed.
  'wasm-threads-150': async () => rowsOf(await compareVariants(featureVariants(150, 2), 8)),
};

/**
 * The offline demo's workflow (the README's accuracies) on the demo backbone
 * and on its random-init twin (same widths, He-uniform): what the transfer is worth.
 */
async function demoAccuracies(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const run = async (what: string, source: WeightsSource) => {
    const trainer = TrainerClient.start();
    try {
      const started = performance.now();
      const scores: DemoScores = await runDemoWorkflow(trainer, source, {fineTune: DEMO.fineTune});
      rows.push(
        {label: `${what}: head-only validation accuracy`, value: round(scores.headValidationAccuracy, 3), unit: ''},
        {label: `${what}: head-only test accuracy`, value: round(scores.headTestAccuracy, 3), unit: ''},
        {label: `${what}: fine-tuned test accuracy`, value: round(scores.fineTunedTestAccuracy!, 3), unit: ''},
        {label: `${what}: whole workflow`, value: round((performance.now() - started) / 1000, 0), unit: 's'},
      );
      return scores.weights.widths;
    } finally {
      trainer.dispose();
    }
  };
  const widths = await run('demo backbone', {kind: 'url', url: DEMO_WEIGHTS_URL});
  await run('random-init twin', {kind: 'random', seed: 1, widths});
  return rows;
}

/**
 * One fine-tuning epoch (augment → VGG16 with block5 trainable → head, SGD
 * step; then validation) per training backend on 8 training and 2
 * validation images; reported per training image. WebGPU goes last: on
 * SwiftShader its device has been seen to get lost in training.
 */
async function fineTuneEpochs(size: number, backends: BackendName[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const trainer = TrainerClient.start();
  try {
    await trainer.dataset.importZip({file: asFile(await smallJpegZip(20), 'bench-fine-tune.zip'), options: {fractions: {train: 8, validation: 2, test: 0}}});
    await trainer.weights.load({kind: 'random', seed: 9});
    {
      const {spec} = await trainer.features.compute({inputSize: size, preprocessing: 'rescale'});
      await trainer.head.train({spec: spec, options: {epochs: 1, batchSize: 4}});
      const perImage = new Map<string, number>();
      for (const backend of backends) {
        const runtime = await trainer.runtime.configure({training: backend});
        if (runtime.phases.training.backend !== backend) continue;
        try {
          const result = await trainer.fineTune.run({epochs: 1, batchSize: 4});
          const seconds = result.history[0]!.seconds / 8;
          perImage.set(backend, seconds);
          rows.push({label: `${backend}, ${size}×${size}, per training image (epoch incl. validation)`, value: round(seconds), unit: 's'});
        } catch (err) {
          rows.push({label: `${backend}, ${size}×${size}: failed with ${(err as Error).name}`, value: Number.NaN, unit: (err as Error).message.slice(0, 80)});
        }
      }
      const webgl = perImage.get('webgl');
      for (const [backend, seconds] of perImage) {
        if (webgl && backend !== 'webgl') rows.push({label: `${backend} / webgl at ${size}×${size}`, value: round(seconds / webgl), unit: '×'});
      }
    }
  } finally {
    trainer.dispose();
  }
  return rows;
}

/**
 * The dataset path end to end (zip → decode → features → IndexedDB) against
 * the same call once everything is cached: what a second visit costs.
 */
async function featureCache(): Promise<BenchRow[]> {
  const trainer = TrainerClient.start();
  try {
    await trainer.dataset.importZip({file: asFile(await smallJpegZip(200), 'bench-features.zip')});
    await trainer.weights.load({kind: 'random', seed: 7});
    const options = {inputSize: 32, preprocessing: 'rescale', batchSize: 8} as const;
    const first = await trainer.features.compute(options);
    const second = await trainer.features.compute(options);
    return [
      {label: `200 images at 32×32, computed on ${first.backend} (decode + VGG16 + write)`, value: round(first.seconds), unit: 's'},
      {label: 'the same, all from the IndexedDB cache', value: round(second.seconds, 3), unit: 's'},
      {label: 'cache speed-up', value: round(first.seconds / second.seconds, 0), unit: '×'},
    ];
  } finally {
    trainer.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function smallJpegZip(count: number, classes = ['sharks', 'dolphins']): Promise<Blob> {
  const files: Record<string, ZipContent> = {};
  for (let i = 0; i < count; i++) {
    const name = classes[i % classes.length]!;
    files[`${name}/${name}_${i}.jpg`] = await encodePicture('jpeg', {width: 96, height: 72, seed: i + 1});
  }
  // Stored: JPEGs do not deflate, and zip tools store them too.
  return makeZip(files, {level: 0});
}

/** Reading every entry of a 3,000-image zip: zip.js's BlobReader vs our read-ahead reader, alternating. */
async function zipRead(): Promise<BenchRow[]> {
  configure({useWebWorkers: false});
  const zip = await smallJpegZip(3000);
  const readAll = async (reader: Reader<unknown>): Promise<number> => {
    const started = performance.now();
    const zipReader = new ZipReader(reader);
    const entries = (await zipReader.getEntries()).filter((e): e is FileEntry => !e.directory);
    for (const entry of entries) await entry.getData(new Uint8ArrayWriter());
    await zipReader.close();
    return performance.now() - started;
  };
  const plain: number[] = [];
  const ahead: number[] = [];
  for (let round_ = 0; round_ < 3; round_++) {
    plain.push(await readAll(new BlobReader(zip)));
    ahead.push(await readAll(new ReadAheadBlobReader(zip)));
  }
  return [
    {label: 'BlobReader, 3,000 entries', value: round(median(plain) / 1000), unit: 's'},
    {label: 'ReadAheadBlobReader, 3,000 entries', value: round(median(ahead) / 1000), unit: 's'},
    {label: 'speed-up of read-ahead', value: round(median(plain) / median(ahead)), unit: '×'},
  ];
}

/** Importing 3,000 small JPEGs (96×72) through the real worker, as a user's drop would. */
async function importThousands(): Promise<BenchRow[]> {
  const zip = asFile(await smallJpegZip(3000), 'bench-3000.zip');
  const trainer = TrainerClient.start();
  try {
    const started = performance.now();
    const manifest = await trainer.dataset.importZip({file: zip});
    const seconds = (performance.now() - started) / 1000;
    return [
      {label: `import ${manifest.images.length.toLocaleString('en')} JPEGs (${(zip.size / 2 ** 20).toFixed(1)} MiB)`, value: round(seconds, 1), unit: 's'},
      {label: 'import rate', value: round(manifest.images.length / seconds, 0), unit: 'images/s'},
    ];
  } finally {
    trainer.dispose();
  }
}

/**
 * Grad-CAM through the worker on the inference backend, per image, against
 * the forward pass alone (block5_pool features of as many images): what the
 * gradient from block5_conv3 adds. With `fineTuned`, also the fine-tuned
 * model after a 1-epoch fine-tune, which is rebuilt from its checkpoint for
 * every job, against the head on the same images: the rebuild's cost.
 */
async function gradCam(size: number, count: number, fineTuned: boolean): Promise<BenchRow[]> {
  const trainer = TrainerClient.start();
  const rows: BenchRow[] = [];
  try {
    const manifest = await trainer.dataset.importZip({file: asFile(await smallJpegZip(count + 4), 'bench-grad-cam.zip'), options: {fractions: {train: 2, validation: 2, test: count}}});
    const images = manifest.images.flatMap((image, i) => (image.split === 'test' ? [i] : [])).slice(0, count);
    await trainer.weights.load({kind: 'random', seed: 5});
    const {spec, backend} = await trainer.features.compute({inputSize: size, preprocessing: 'caffe'});
    await trainer.head.train({spec, options: {epochs: 1, batchSize: 2}});
    await trainer.explain.gradCam({images: images.slice(0, 1), model: 'head'}); // warm-up: kernels, shaders
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    const explain = await timed(() => trainer.explain.gradCam({images, model: 'head', batchSize: 4}));
    const forward = await timed(() => trainer.features.extract({pixels: makeImages(count, size, 3), count, size, batchSize: 4}));
    rows.push(
      {label: `head, ${size}×${size} on ${backend}, per image`, value: round(explain / count, 0), unit: 'ms'},
      {label: `the forward pass alone (features), per image`, value: round(forward / count, 0), unit: 'ms'},
      {label: 'Grad-CAM time / forward time', value: round(explain / forward), unit: '×'},
    );
    if (fineTuned) {
      await trainer.fineTune.run({epochs: 1, batchSize: 2});
      await trainer.explain.gradCam({images: images.slice(0, 1), model: 'fine-tuned'}); // warm-up, back on the inference backend
      // Alternating, three times each: the same images through the same layers; the fine-tuned model is rebuilt for every job.
      const head: number[] = [];
      const tuned: number[] = [];
      for (let round = 0; round < 3; round++) {
        head.push(await timed(() => trainer.explain.gradCam({images, model: 'head', batchSize: 4})));
        tuned.push(await timed(() => trainer.explain.gradCam({images, model: 'fine-tuned', batchSize: 4})));
      }
      rows.push(
        {label: `a job of ${count} images, head (median of 3)`, value: round(median(head) / 1000), unit: 's'},
        {label: `a job of ${count} images, fine-tuned (median of 3)`, value: round(median(tuned) / 1000), unit: 's'},
        {label: 'fine-tuned − head: rebuilding the model from its checkpoint, per job', value: round((median(tuned) - median(head)) / 1000), unit: 's'},
      );
    }
  } finally {
    trainer.dispose();
  }
  return rows;
}
