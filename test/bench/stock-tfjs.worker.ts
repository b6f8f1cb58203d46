// Stock tfjs only: this worker imports the tfjs packages, the wasm binaries'
// URLs and the message loop (which imports nothing), never workers/ — so
// the project's wasm kernels (workers/kernels/wasm/register.ts, which
// register globally once imported) are not in this worker, and setup checks it.
import * as tf from '@tensorflow/tfjs';
import {getThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {jobTimer, serveBenchCalls, type JobSpec, type SetupResult} from './bench-protocol.ts';

/**
 * tfjs written the way a developer would: VGG16 as a `tf.sequential` of
 * Keras-named `tf.layers` with a weights bundle loaded into it, a plain
 * `model.predict` for features, and for fine-tuning one model (VGG16 + the
 * head) with `layer.trainable = false` on blocks 1–4 and `model.fit`. The
 * backend is started with tfjs's defaults (its own wasm thread count).
 */

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

const BLOCKS: ReadonlyArray<[filters: number, convs: number]> = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];

let weights: tf.NamedTensorMap = {};

function vgg16Layers(size: number): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  BLOCKS.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++) {
      const name = `block${b + 1}_conv${c}`;
      layers.push(tf.layers.conv2d({name, filters, kernelSize: 3, padding: 'same', activation: 'relu', ...(layers.length === 0 ? {inputShape: [size, size, 3]} : {})}));
    }
    layers.push(tf.layers.maxPooling2d({name: `block${b + 1}_pool`, poolSize: 2, strides: 2}));
  });
  return layers;
}

function headLayers(inputShape?: number[]): tf.layers.Layer[] {
  return [
    tf.layers.flatten(inputShape ? {inputShape} : {}),
    tf.layers.dense({units: 256, activation: 'relu'}),
    tf.layers.dropout({rate: 0.5}),
    tf.layers.dense({units: 1, activation: 'sigmoid'}),
  ];
}

function loadWeights(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    const kernel = weights[`${layer.name}/kernel`];
    if (kernel) layer.setWeights([kernel, weights[`${layer.name}/bias`]!]);
  }
}

const pixels = (job: JobSpec, seed: number) => tf.randomUniform([job.batch, job.size, job.size, 3], -110, 140, 'float32', seed);
const labels = (n: number) => tf.tensor2d(Array.from({length: n}, (_, i) => [i % 2]));

const JOBS = {
  features(job: JobSpec) {
    const model = tf.sequential({layers: vgg16Layers(job.size)});
    loadWeights(model);
    const x = pixels(job, 1);
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
  },
  step(job: JobSpec) {
    const model = tf.sequential({layers: [...vgg16Layers(job.size), ...headLayers()]});
    loadWeights(model);
    for (const layer of model.layers) if (/^block[1-4]_/.test(layer.name)) layer.trainable = false;
    model.compile({optimizer: tf.train.momentum(1e-4, 0.9), loss: 'binaryCrossentropy', metrics: ['accuracy']});
    const x = pixels(job, 2);
    const y = labels(job.batch);
    return {
      run: async () => void (await model.fit(x, y, {batchSize: job.batch, epochs: 1, verbose: 0})),
      dispose: () => {
        tf.dispose([x, y]);
        model.optimizer.dispose();
        model.dispose();
      },
    };
  },
  head(job: JobSpec) {
    const side = Math.floor(job.size / 32);
    const model = tf.sequential({layers: headLayers([side, side, 512])});
    model.compile({optimizer: tf.train.rmsprop(1e-3), loss: 'binaryCrossentropy', metrics: ['accuracy']});
    const features = (n: number, seed: number) => tf.randomUniform([n, side, side, 512], 0, 10, 'float32', seed);
    const [x, y, xVal, yVal] = [features(job.train!, 1), labels(job.train!), features(job.validation!, 2), labels(job.validation!)];
    return {
      run: async () => void (await model.fit(x, y, {batchSize: job.batch, epochs: 1, shuffle: true, validationData: [xVal, yVal], verbose: 0})),
      dispose: () => {
        tf.dispose([x, y, xVal, yVal]);
        model.optimizer.dispose();
        model.dispose();
      },
    };
  },
};

const jobs = jobTimer((job) => JOBS[job.what](job));

serveBenchCalls({
  async setup({backend, bundle}): Promise<SetupResult> {
    if (!(await tf.setBackend(backend))) throw new Error(`${backend}: tf.setBackend resolved false`);
    const wasmConv2dBackpropFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
    // The guarantee: tfjs-backend-wasm 4.22 has no such kernel; only the project's register.ts adds one.
    if (wasmConv2dBackpropFilter) throw new Error('the project’s wasm kernels are registered in the stock worker');
    if (bundle) weights = tf.io.decodeWeights(bundle.data, bundle.specs as tf.io.WeightsManifestEntry[]);
    return {
      backend,
      threads: backend === 'wasm' ? getThreadsCount() : null,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      tfjs: tf.version.tfjs,
      wasmConv2dBackpropFilter,
    };
  },
  prepare: jobs.prepare,
  sample: jobs.sample,
});
