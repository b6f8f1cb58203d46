import * as tf from '@tensorflow/tfjs';
import {buildVgg16} from '../../workers/model/vgg16.ts';
import {featureShapeFor} from '../../workers/model/vgg16-layout.ts';
import {decodeVgg16Bundle, randomVgg16Bundle} from '../../workers/model/weights-bundle.ts';
import '../../workers/runtime/backends.ts'; // serves the wasm binaries and registers our wasm kernels
import {buildFineTuneModel, splitAtBlock5} from '../../workers/training/fine-tune.ts';
import {buildHead} from '../../workers/training/head.ts';
import {profileKernels, type KernelProfile} from './kernel-profile.ts';

/**
 * Where the time of VGG16 feature extraction and of one fine-tuning step
 * goes, per kernel, on the backend that is set (wasm unless told). These run
 * tfjs in the page itself, not through the worker, so a profile sees every
 * kernel; the steps are the worker's own (the same model builders).
 */

/** VGG16's conv base at `size` with the project's seeded random weights (seed 1). */
export function vgg16(size: number): tf.LayersModel {
  const weights = decodeVgg16Bundle(randomVgg16Bundle(1));
  try {
    return buildVgg16(size, weights);
  } finally {
    tf.dispose(weights);
  }
}

/** Seeded, roughly caffe-preprocessed images (values around ±100), made on the current backend. */
export function images(count: number, size: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([count, size, size, 3], -110, 140, 'float32', seed) as tf.Tensor4D;
}

/** Runs `profile` `repeats` times and keeps the fastest (the least disturbed by whatever else runs). */
async function fastest(repeats: number, profile: () => Promise<KernelProfile>): Promise<KernelProfile> {
  let best: KernelProfile | null = null;
  for (let i = 0; i < repeats; i++) {
    const p = await profile();
    if (!best || p.wallMs < best.wallMs) best = p;
  }
  return best!;
}

/** block5_pool features of one batch: a warm-up batch first, then the profiled ones. */
export async function profileFeatures(size: number, batch: number, repeats = 1): Promise<KernelProfile> {
  const model = vgg16(size);
  const x = images(batch, size, 1);
  try {
    tf.dispose(model.predict(x));
    return await fastest(repeats, () =>
      profileKernels(async () => {
        const out = model.predict(x) as tf.Tensor;
        await out.data();
        out.dispose();
      }),
    );
  } finally {
    x.dispose();
    model.dispose();
  }
}

/**
 * One training step of block5 and the head (SGD with momentum, binary
 * cross-entropy), after a warm-up step; the fastest of `repeats`. `step` builds what is trained and
 * returns the step; the default is the whole network on one tape.
 */
export async function profileFineTuneStep(size: number, batch: number, step: FineTuneStepBuilder = wholeNetworkStep, repeats = 1): Promise<KernelProfile> {
  const convBase = vgg16(size);
  const head = buildHead(featureShapeFor(size, 512), 2, 3);
  const x = images(batch, size, 2);
  const y = tf.tensor2d(Array.from({length: batch}, (_, i) => [i % 2]));
  const optimizer = tf.train.momentum(1e-4, 0.9);
  const {run, dispose} = step(convBase, head, size, optimizer);
  try {
    await run(x, y);
    return await fastest(repeats, () => profileKernels(() => run(x, y)));
  } finally {
    dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  }
}

export type FineTuneStepBuilder = (
  convBase: tf.LayersModel,
  head: tf.LayersModel,
  size: number,
  optimizer: tf.Optimizer,
) => {run: (x: tf.Tensor, y: tf.Tensor) => Promise<unknown>; dispose: () => void};

/** The fine-tuning model as it was first built: VGG16 (blocks 1–4 frozen) and the head, one model, one tape through all of it. */
export const wholeNetworkStep: FineTuneStepBuilder = (convBase, head, size, optimizer) => {
  const model = buildFineTuneModel(convBase, head, size);
  model.compile({optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy']});
  return {run: (x, y) => model.trainOnBatch(x, y), dispose: () => model.dispose()};
};

/** As fine-tuning runs now: blocks 1–4 predicted without a tape, block5 and the head trained on their output. */
export const splitStep: FineTuneStepBuilder = (convBase, head, size, optimizer) => {
  const whole = buildFineTuneModel(convBase, head, size); // sets block5 trainable, and owns the layers
  const {frozen, trainable, dispose} = splitAtBlock5(convBase, head, size);
  trainable.compile({optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy']});
  return {
    run: async (x, y) => {
      const features = frozen.predict(x) as tf.Tensor;
      try {
        return await trainable.trainOnBatch(features, y);
      } finally {
        features.dispose();
      }
    },
    dispose: () => {
      dispose();
      whole.dispose();
    },
  };
};
