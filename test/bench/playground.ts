import {Lab} from '../../src/lab/lab.ts';
import {SavedChoices} from '../../src/lab/saved-choices.ts';
import type {Progress} from '../../src/shared/protocol/index.ts';
import {photoZip} from './measures.ts';

export interface PlaygroundResult {
  backend: string | null;
  wasmThreads: number;
  crossOriginIsolated: boolean;
  size: number;
  batch: number;
  trainImages: number;
  validationImages: number;
  /** The last `fine-tune` progress of the training stage, as step 4 shows it: training images per second since the job began. */
  progressRate: number;
  /** The same progress reports from the end of the first batch to the last: the rate once the job is going. */
  steadyRate: number | null;
  /** The epoch as the app logs it (training, validation). */
  epochSeconds: number;
  featuresSeconds: number;
  headSeconds: number;
}

const problem = (what: string, lab: Lab, run: {error: unknown}) => new Error(`${what} failed: ${String((run.error as Error)?.message ?? run.error)} ${lab.notKept ?? ''}`);

/**
 * The playground's own model (`Lab`, as the page and the step tests drive
 * it) with full-size random VGG16 weights: a dataset of 500×375 JPEGs at
 * `size`, features, the head (one epoch), then one epoch of fine-tuning on
 * the training backend the app chooses, with the rate its progress reports.
 */
export async function runPlayground({size, images, batch}: {size: number; images: number; batch: number}): Promise<PlaygroundResult> {
  const values = new Map<string, string>();
  const choices = new SavedChoices(() => ({getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v), removeItem: (k) => void values.delete(k)}));
  // No weights at start (nothing is served there): the random ones are loaded below.
  const lab = new Lab({config: {weightsUrl: '/no-such-weights/model.json', seed: 1}, choices});
  const reports: {at: number; progress: Extract<Progress, {kind: 'fine-tune'}>}[] = [];
  lab.addEventListener('change', () => {
    const progress = lab.fineTune.run.progress;
    if (progress?.kind === 'fine-tune' && progress.stage === 'train' && progress !== reports.at(-1)?.progress) reports.push({at: performance.now(), progress});
  });
  try {
    await lab.start();
    if (!(await lab.weights.load({kind: 'random', seed: 1}))) throw problem('loading random weights', lab, lab.weights.run);
    // Class folders, split 80/10/10 by the app's seeded stratified split.
    if (!(await lab.dataset.importFile(await photoZip(images), {seed: 1, fractions: {train: 8, validation: 1, test: 1}}))) throw problem('import', lab, lab.dataset.run);
    if (!(await lab.features.compute({inputSize: size, preprocessing: 'caffe', resize: 'bilinear', batchSize: 8}))) throw problem('features', lab, lab.features.run);
    if (!(await lab.head.train({...lab.head.options, epochs: 1}))) throw problem('head', lab, lab.head.run);
    if (!(await lab.fineTune.start({...lab.fineTune.options, epochs: 1, batchSize: batch}))) throw problem('fine-tuning', lab, lab.fineTune.run);
    const manifest = lab.dataset.manifest!;
    const count = (split: string) => manifest.images.filter((i) => i.split === split).length;
    const last = reports.at(-1)!;
    const first = reports.find((r) => r.progress.batch >= 1);
    const steadyRate = first && last !== first ? ((last.progress.done - first.progress.done) / (last.at - first.at)) * 1000 : null;
    const runtime = lab.runtime.report!;
    return {
      backend: lab.fineTune.run.value!.backend,
      wasmThreads: runtime.wasmThreads,
      crossOriginIsolated: runtime.crossOriginIsolated,
      size,
      batch,
      trainImages: count('train'),
      validationImages: count('validation'),
      progressRate: last.progress.rate,
      steadyRate,
      epochSeconds: lab.fineTune.run.value!.history[0]!.seconds,
      featuresSeconds: lab.features.run.value!.seconds,
      headSeconds: lab.head.run.value!.history[0]!.seconds,
    };
  } finally {
    lab.dispose();
  }
}
