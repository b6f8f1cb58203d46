import * as tf from '@tensorflow/tfjs';
import {DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';
import {featureShapeFor} from '../../workers/model/vgg16-layout.ts';
// The app's runtime: the wasm binaries, our wasm training kernels, the thread plan.
import {chooseBackends} from '../../workers/runtime/backends.ts';
import {buildHead} from '../../workers/training/head.ts';
import {trainHead} from '../../workers/training/train-head.ts';
import {jobTimer, serveBenchCalls, type JobSpec, type PreparedJob, type SetupResult} from './bench-protocol.ts';
import {byKernel, profileKernels} from './kernel-profile.ts';
import {images, splitStep, vgg16} from './wasm-training.ts';

/**
 * The project's way, one job per worker: the backend started as the app
 * starts it (chooseBackends: every core for wasm where the page is
 * isolated, our wasm kernels registered), VGG16 built by the app's
 * builder, the fine-tuning step as fine-tune.ts takes it (blocks 1–4
 * predicted off the tape, block5 + head trained), the head trained by the
 * app's trainHead.
 */

function features(job: JobSpec): PreparedJob {
  const model = vgg16(job.size);
  const x = images(job.batch, job.size, 1);
  return {
    run: async () => {
      const out = model.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    },
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

function step(job: JobSpec): PreparedJob {
  const convBase = vgg16(job.size);
  const head = buildHead(featureShapeFor(job.size, 512), 2, 3);
  const optimizer = tf.train.momentum(1e-4, 0.9);
  const x = images(job.batch, job.size, 2);
  const y = tf.tensor2d(Array.from({length: job.batch}, (_, i) => [i % 2]));
  const {run, dispose} = splitStep(convBase, head, job.size, optimizer);
  return {
    run: async () => void (await run(x, y)),
    dispose: () => {
      dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** The app's trainHead, two epochs a run: the second's time (the app's per-epoch figure, after the first epoch's set-up). */
function head(job: JobSpec): PreparedJob {
  const shape = featureShapeFor(job.size, 512);
  const perImage = shape.reduce((a, b) => a * b, 1);
  const set = (n: number, seed: number) => ({
    features: tf.tidy(() => tf.randomUniform([n * perImage], 0, 10, 'float32', seed).dataSync() as Float32Array),
    labels: Array.from({length: n}, (_, i) => i % 2),
  });
  const train = set(job.train!, 1);
  const validation = set(job.validation!, 2);
  return {
    run: async () => {
      const {model, history} = await trainHead({
        train,
        validation,
        featureShape: shape,
        classCount: 2,
        options: {...DEFAULT_HEAD_OPTIONS, epochs: 2, batchSize: job.batch},
      });
      model.dispose();
      return history[1]!.seconds * 1000;
    },
    dispose: () => {},
  };
}

const JOBS = {features, step, head};
const jobs = jobTimer((job) => JOBS[job.what](job));

serveBenchCalls({
  async setup({backend}): Promise<SetupResult> {
    const report = await chooseBackends({inference: backend, training: backend});
    if (report.phases.inference.backend !== backend) {
      const why = report.phases.inference.skipped.find((s) => s.backend === backend)?.reason ?? 'not started';
      throw new Error(`${backend}: ${why}`);
    }
    return {
      backend,
      threads: backend === 'wasm' ? report.wasmThreads : null,
      ...(backend === 'wasm' ? {threadsReason: report.wasmThreadsReason} : {}),
      crossOriginIsolated: report.crossOriginIsolated,
      tfjs: tf.version.tfjs,
      wasmConv2dBackpropFilter: tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined,
    };
  },
  prepare: jobs.prepare,
  sample: jobs.sample,
  async profile() {
    const profile = await profileKernels(jobs.current().run);
    return {wallMs: profile.wallMs, kernelMs: profile.kernelMs, byKernel: byKernel(profile), byShape: profile.kernels.slice(0, 40)};
  },
});
