// The project's VGG16 work on Chrome's WebGPU implementation (Dawn, as dawn.node) in Node: stock
// tfjs-webgpu 4.22 kernels against ours (workers/kernels/webgpu/), side by side in one process.
// Built into .gpu/bench.mjs by build.sh (esbuild bundles the project's TypeScript); run by run_device.sh.
//
// Usage: node .gpu/bench.mjs TASK [TASK ...]
//   info                         adapter, device features, subgroup size
//   check:H:B                    VGG16 features and the fine-tune gradients at H×H, batch B, each variant vs tfjs-cpu
//   kernels:H:B                  each VGG16 conv shape: forward (bias+ReLU), block5's dW and dx, per variant
//   sweep:H:B                    tile sizes of our forward product on three VGG16 layers
//   fwd:H:B:VARIANT              VGG16 conv base (workers/model/vgg16.ts), model.predict on a GPU tensor
//   train:H:B:VARIANT            one fine-tune step (workers/training/fine-tune.ts's model; 'split': blocks 1–4 off the tape)
//   head:H:EPOCHS                the head alone on random features (trainHead), its time per step
//   workflow:VARIANT:EPOCHS[:nohead]  the tutorial's workflow on random data at 150×150 (see taskWorkflow)
//   VARIANT = stock | ours | nosg (ours, no subgroups) | sg (ours, subgroups wherever they run) | split (train: ours, blocks 1–4 in inference mode)
// Env: BENCH_BACKEND=webgpu|cpu, BENCH_WARMUP (2), BENCH_ITERS (5), BENCH_TASK_BUDGET_S (timed part of a task, 20),
//      DAWN_FLAGS (space separated, for webgpu's create()); WORKFLOW_H, WORKFLOW_TRAIN, WORKFLOW_VAL (150, 2000, 800).
import {create, globals} from 'webgpu';

const T0 = performance.now();
const elapsed = () => ((performance.now() - T0) / 1000).toFixed(2);
const log = (...a) => console.log(`[${elapsed()}s]`, ...a);
const result = (o) => console.log('RESULT ' + JSON.stringify(o));

Object.assign(globalThis, globals);
const DAWN_FLAGS = (process.env.DAWN_FLAGS || '').split(/\s+/).filter(Boolean);
globalThis.navigator = {gpu: create(DAWN_FLAGS), hardwareConcurrency: 4};

const WANT = process.env.BENCH_BACKEND || 'webgpu';
const WARMUP = +(process.env.BENCH_WARMUP || 2);
const ITERS = +(process.env.BENCH_ITERS || 5);
const TASK_BUDGET_S = +(process.env.BENCH_TASK_BUDGET_S || 20);

// navigator.gpu must exist before tfjs-backend-webgpu is evaluated (it checks at load time): import late.
const tf = await import('@tensorflow/tfjs');
const P = await import('./project.ts');
P.registerWebgpuKernels();
log(`tfjs ${tf.version.tfjs}; node ${process.version}; dawn flags ${JSON.stringify(DAWN_FLAGS)}`);

const VARIANTS = {
  stock: {kernels: 'stock'},
  ours: {kernels: 'ours', subgroups: 'auto'},
  nosg: {kernels: 'ours', subgroups: 'off'},
  sg: {kernels: 'ours', subgroups: 'always'},
  split: {kernels: 'ours', subgroups: 'auto'},
};
function useVariant(name) {
  const options = VARIANTS[name];
  if (!options) throw new Error(`unknown variant ${name}`);
  P.setWebgpuKernelOptions(options, true);
}

// ---- helpers -------------------------------------------------------------------------------------
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
function stats(d) {
  let nan = 0, zero = 0, mn = Infinity, mx = -Infinity, sum = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (Number.isNaN(v)) { nan++; continue; }
    if (v === 0) zero++;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    sum += v;
  }
  return {n: d.length, nan, zeroFrac: +(zero / d.length).toFixed(4), min: mn, max: mx, mean: sum / d.length};
}
/** Largest difference over the largest reference value. */
function compare(actual, reference) {
  let maxAbs = 0, maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(actual[i] - reference[i]);
    if (!(e <= maxAbs)) maxAbs = e; // NaN wins
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
  }
  return {maxAbsDiff: maxAbs, maxAbsRef: maxRef, relMaxErr: maxAbs / (maxRef || 1)};
}
async function timeLoop(name, fn, iters = ITERS, warmup = WARMUP) {
  const warm = [];
  for (let i = 0; i < warmup; i++) warm.push(await fn());
  const last = warm.at(-1) || 1;
  let n = iters;
  if ((last * n) / 1000 > TASK_BUDGET_S) n = Math.max(2, Math.floor((TASK_BUDGET_S * 1000) / last));
  const ts = [];
  for (let i = 0; i < n; i++) ts.push(await fn());
  log(`${name}: warm-up ${warm.map((v) => v.toFixed(1)).join(', ')} ms; timed ${ts.map((v) => v.toFixed(1)).join(', ')} ms`);
  return {warmupMs: warm.map((v) => +v.toFixed(1)), timesMs: ts.map((v) => +v.toFixed(1)), medianMs: +median(ts).toFixed(2)};
}
/** Waits for the GPU by reading one element of `t`. */
async function settle(t) {
  const one = tf.slice(t, t.shape.map(() => 0), t.shape.map(() => 1));
  await one.data();
  one.dispose();
}
/** GPU time per tfjs kernel of one call of `f` (timestamp queries), summed by kernel name. */
async function kernelProfile(f) {
  const profile = await tf.profile(f);
  const byKernel = {};
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel[k.name] = byKernel[k.name] || {n: 0, ms: 0};
    byKernel[k.name].n++;
    byKernel[k.name].ms = +(byKernel[k.name].ms + ms).toFixed(3);
  }
  tf.dispose(profile.result);
  const total = Object.values(byKernel).reduce((s, v) => s + v.ms, 0);
  return {gpuMs: +total.toFixed(3), byKernel};
}

const CONV_CFG = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
function convFlops(H) {
  let c = 3, h = H, tot = 0;
  const perBlock = [];
  for (const b of CONV_CFG) {
    let s = 0;
    for (const co of b) { const f = 2 * h * h * c * co * 9; tot += f; s += f; c = co; }
    perBlock.push(s);
    h = Math.floor(h / 2);
  }
  return {tot, perBlock};
}

let weightsCache = null;
/** VGG16's random weights (seeded He-uniform, the project's), decoded once on the current backend. */
function vggWeights() {
  if (!weightsCache) weightsCache = P.decodeVgg16Bundle(P.randomVgg16Bundle(1));
  return weightsCache;
}
function fineTuneModel(H, seed = 3) {
  const convBase = P.buildVgg16(H, vggWeights());
  const side = Math.floor(H / 32);
  const head = P.buildHead([side, side, 512], 2, seed);
  const model = P.buildFineTuneModel(convBase, head, H);
  return {convBase, head, model};
}
/** The wasm helper's shape of a fine-tune step: blocks 1–4 in inference mode, a model from block4_pool through block5 and the head trained. */
function splitModels(convBase, head, H) {
  const frozen = tf.model({inputs: convBase.inputs, outputs: convBase.getLayer('block4_pool').output});
  const side = Math.floor(H / 16);
  const input = tf.input({shape: [side, side, 512]});
  let y = input;
  for (const name of ['block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool']) y = convBase.getLayer(name).apply(y);
  return {frozen, top: tf.model({inputs: input, outputs: head.apply(y)})};
}

// ---- tasks ---------------------------------------------------------------------------------------
async function taskInfo() {
  const adapter = await navigator.gpu.requestAdapter({powerPreference: 'high-performance'});
  const out = {task: 'info', backend: tf.getBackend()};
  if (adapter) {
    const i = adapter.info;
    out.adapterInfo = {vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, subgroupMinSize: i.subgroupMinSize, subgroupMaxSize: i.subgroupMaxSize};
    out.adapterFeatures = [...adapter.features].sort();
  }
  if (tf.getBackend() === 'webgpu') {
    const device = tf.backend().device;
    out.deviceFeatures = [...device.features].sort();
    out.subgroupSize = P.subgroupSizeOf(device);
    out.maxComputeWorkgroupStorageSize = device.limits.maxComputeWorkgroupStorageSize;
    out.maxStorageBufferBindingSize = device.limits.maxStorageBufferBindingSize;
  }
  result(out);
}

/** On `backend`, with `variant`'s kernels: VGG16 features of x, and the fine-tune model's loss and gradients. */
async function checkRun(backend, variant, H, B, xv, yv) {
  await tf.setBackend(backend);
  if (backend === 'webgpu') useVariant(variant);
  weightsCache = null; // decode on this backend
  const {convBase, model} = fineTuneModel(H);
  const x = tf.tensor4d(xv, [B, H, H, 3]);
  const y = tf.tensor2d(yv, [B, 1]);
  const features = convBase.predict(x);
  const featureData = await features.data();
  // The loss fine-tuning minimises (SeededDropout off: training=false keeps it deterministic across backends).
  const variables = model.trainableWeights.map((w) => w.val);
  const {value, grads} = tf.variableGrads(() => tf.metrics.binaryCrossentropy(y, model.apply(x, {training: false})).mean(), variables);
  // Keyed by the layer's weight name: tfjs numbers the variables of each new model apart.
  const gradData = {};
  model.trainableWeights.forEach((w, i) => (gradData[w.originalName] = grads[variables[i].name]));
  for (const [name, g] of Object.entries(gradData)) gradData[name] = await g.data();
  const loss = (await value.data())[0];
  tf.dispose([x, y, features, value, ...Object.values(grads)]);
  model.dispose();
  for (const t of Object.values(weightsCache)) t.dispose();
  weightsCache = null;
  return {features: featureData, grads: gradData, loss};
}

async function taskCheck(H, B) {
  // Inputs in [0, 1] keep the random network's sigmoid off its clipped ends, where every gradient is exactly 0.
  const xv = await tf.tidy(() => tf.randomUniform([B, H, H, 3], 0, 1, 'float32', 1234)).data();
  const yv = Array.from({length: B}, (_, i) => i % 2);
  const t = performance.now();
  const cpu = await checkRun('cpu', null, H, B, xv, yv);
  const cpuMs = Math.round(performance.now() - t);
  // 'sg' puts every product it can on the subgroup path, which 'ours' leaves for larger grids than these.
  for (const variant of ['stock', 'ours', 'nosg', 'sg']) {
    const gpu = await checkRun('webgpu', variant, H, B, xv, yv);
    const features = compare(gpu.features, cpu.features);
    const grads = {};
    let worstGrad = 0;
    let zeroGrads = 0;
    for (const [name, g] of Object.entries(cpu.grads)) {
      const c = compare(gpu.grads[name], g);
      grads[name] = +c.relMaxErr.toExponential(2);
      worstGrad = Math.max(worstGrad, grads[name]);
      if (c.maxAbsRef === 0) zeroGrads++;
    }
    const r = {task: 'check', H, B, variant, cpuMs, features: {...features, gpu: stats(gpu.features), cpu: stats(cpu.features)}, lossGpu: gpu.loss, lossCpu: cpu.loss, gradRelMaxErr: grads, worstGradRelErr: worstGrad, zeroGrads};
    // Same tolerance as the browser tests: float32 sums in another order stay near 1e-6 of the largest value.
    r.pass = features.relMaxErr < 1e-4 && worstGrad < 1e-3 && zeroGrads === 0 && r.features.gpu.nan === 0 && r.features.cpu.zeroFrac < 1 && Math.abs(gpu.loss - cpu.loss) < 1e-4 * Math.max(1, Math.abs(cpu.loss));
    result(r);
  }
  await tf.setBackend(WANT);
}

/** The VGG16 conv shapes at input H (one of each): name, input side, in and out channels. */
function vggShapes(H) {
  const shapes = [];
  let c = 3, h = H;
  CONV_CFG.forEach((block, bi) => {
    block.forEach((co, li) => {
      if (li < 2) shapes.push({name: `block${bi + 1}_conv${li + 1}`, side: h, ci: c, co});
      c = co;
    });
    h = Math.floor(h / 2);
  });
  return shapes;
}

/** Wall time per call of `f` (R calls queued back to back, then one sync), and GPU time of one call. */
async function timeKernel(f, reps = 10) {
  let y = f();
  await settle(y); // compile
  y.dispose();
  const t = performance.now();
  for (let r = 0; r < reps; r++) {
    y = f();
    if (r < reps - 1) y.dispose();
  }
  await settle(y);
  y.dispose();
  const wallMs = (performance.now() - t) / reps;
  const timing = await tf.time(() => { tf.dispose(f()); });
  return {wallMs: +wallMs.toFixed(3), kernelMs: +(timing.kernelMs ?? 0).toFixed(3)};
}

async function taskKernels(H, B) {
  const variants = ['stock', 'ours', 'nosg', 'sg'];
  for (const s of vggShapes(H)) {
    const x = tf.randomUniform([B, s.side, s.side, s.ci], -1, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, s.ci, s.co], -0.1, 0.1, 'float32', 2);
    const bias = tf.randomUniform([s.co], -0.1, 0.1, 'float32', 3);
    const flop = 2 * B * s.side * s.side * 9 * s.ci * s.co;
    const r = {task: 'kernels', H, B, layer: s.name, op: 'FusedConv2D', shape: [B, s.side, s.side, s.ci, s.co], gflop: +(flop / 1e9).toFixed(3)};
    for (const v of variants) {
      useVariant(v);
      const m = await timeKernel(() => tf.fused.conv2d({x, filter: w, bias, activation: 'relu', strides: 1, pad: 'same'}));
      r[v] = {...m, tflops: +(flop / (m.kernelMs || m.wallMs) / 1e9).toFixed(2)};
    }
    for (const v of variants.slice(1)) r[`${v}VsStock`] = +(r.stock.kernelMs / r[v].kernelMs).toFixed(2);
    result(r);
    tf.dispose([x, w, bias]);
  }
  // block5's gradients (the fine-tune step trains block5): dW and dx at 3×3×512×512.
  const side = Math.floor(H / 16);
  const x = tf.randomUniform([B, side, side, 512], 0, 1, 'float32', 4);
  const dy = tf.randomUniform([B, side, side, 512], -1, 1, 'float32', 5);
  const w = tf.randomUniform([3, 3, 512, 512], -0.1, 0.1, 'float32', 6);
  const flop = 2 * B * side * side * 9 * 512 * 512;
  const attrs = {strides: [1, 1], pad: 'same', dataFormat: 'NHWC'};
  for (const [op, f, vs] of [
    ['Conv2DBackpropFilter', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {...attrs, filterShape: [3, 3, 512, 512]}), ['stock', 'ours']],
    ['Conv2DBackpropInput', () => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: w}, {...attrs, inputShape: [B, side, side, 512]}), variants],
  ]) {
    const r = {task: 'kernels', H, B, layer: 'block5_conv2', op, shape: [B, side, side, 512, 512], gflop: +(flop / 1e9).toFixed(3)};
    for (const v of vs) {
      useVariant(v);
      const m = await timeKernel(f, 5);
      r[v] = {...m, tflops: +(flop / (m.kernelMs || m.wallMs) / 1e9).toFixed(2)};
    }
    for (const v of vs.slice(1)) r[`${v}VsStock`] = +(r.stock.kernelMs / r[v].kernelMs).toFixed(2);
    result(r);
  }
  tf.dispose([x, dy, w]);
}

/** Our forward product's tile sizes on four VGG16 layers, and the filter gradient's tiles and K splits on block5. */
async function taskSweep(H, B) {
  const tiles = [
    {tileM: 128, tileN: 128, tileK: 16},
    {tileM: 64, tileN: 128, tileK: 16},
    {tileM: 128, tileN: 64, tileK: 16},
    {tileM: 64, tileN: 64, tileK: 16},
    {tileM: 128, tileN: 128, tileK: 8},
  ];
  const label = (t) => (t ? `${t.tileM}x${t.tileN}x${t.tileK}` : 'auto');
  const shapes = vggShapes(H).filter((s) => ['block2_conv2', 'block3_conv2', 'block4_conv2', 'block5_conv1'].includes(s.name));
  for (const s of shapes) {
    const x = tf.randomUniform([B, s.side, s.side, s.ci], -1, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, s.ci, s.co], -0.1, 0.1, 'float32', 2);
    const flop = 2 * B * s.side * s.side * 9 * s.ci * s.co;
    const r = {task: 'sweep', H, B, layer: s.name, op: 'Conv2D', results: []};
    for (const [subgroups, t] of [['auto', null], ['always', null], ...tiles.map((t) => ['off', t])]) {
      P.setWebgpuKernelOptions({kernels: 'ours', subgroups, tiles: t}, true);
      const m = await timeKernel(() => tf.conv2d(x, w, 1, 'same'), 5);
      r.results.push({subgroups, tiles: label(t), ...m, tflops: +(flop / (m.kernelMs || m.wallMs) / 1e9).toFixed(2)});
    }
    result(r);
    tf.dispose([x, w]);
  }
  // block5's filter gradient at the fine-tune batch sizes: tiles × K splits.
  const side = Math.floor(H / 16);
  for (const batch of [16, B]) {
    const x = tf.randomUniform([batch, side, side, 512], 0, 1, 'float32', 4);
    const dy = tf.randomUniform([batch, side, side, 512], -1, 1, 'float32', 5);
    const flop = 2 * batch * side * side * 9 * 512 * 512;
    const r = {task: 'sweep', H, B: batch, layer: 'block5_conv2', op: 'Conv2DBackpropFilter', results: []};
    for (const [t, splits] of [[null, 0], [tiles[0], 1], [tiles[0], 3], [tiles[0], 6], [tiles[3], 1], [tiles[3], 2]]) {
      P.setWebgpuKernelOptions({kernels: 'ours', tiles: t, splits}, true);
      const m = await timeKernel(() => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 512, 512]}), 5);
      r.results.push({tiles: label(t), splits: splits || 'auto', ...m, tflops: +(flop / (m.kernelMs || m.wallMs) / 1e9).toFixed(2)});
    }
    result(r);
    tf.dispose([x, dy]);
  }
  P.setWebgpuKernelOptions({}, true);
}

async function taskFwd(H, B, variant) {
  useVariant(variant);
  const model = P.buildVgg16(H, vggWeights());
  const x = tf.randomUniform([B, H, H, 3], -60, 60, 'float32', 42);
  let last = null;
  const once = async () => {
    const t = performance.now();
    const y = model.predict(x);
    const d = await y.data();
    const dt = performance.now() - t;
    y.dispose();
    last = d;
    return dt;
  };
  const timing = await timeLoop(`fwd:${H}:${B}:${variant}`, once);
  const {tot} = convFlops(H);
  const r = {task: 'fwd', H, B, variant, ...timing, msPerImg: +(timing.medianMs / B).toFixed(4), imgPerS: +((B * 1000) / timing.medianMs).toFixed(1), tflops: +((tot * B) / (timing.medianMs / 1000) / 1e12).toFixed(3), out: stats(last)};
  // The batch's first image alone must give what it gave inside the batch.
  const x0 = tf.slice(x, [0], [1]);
  const y0 = model.predict(x0);
  r.firstVsAlone = compare(last.subarray(0, last.length / B), await y0.data()).relMaxErr;
  tf.dispose([x0, y0]);
  r.profile = await kernelProfile(() => model.predict(x));
  r.kernelTflops = +((tot * B) / (r.profile.gpuMs / 1000) / 1e12).toFixed(3);
  r.memory = tf.memory();
  result(r);
  x.dispose();
  model.dispose();
}

async function taskTrain(H, B, variant) {
  useVariant(variant);
  const {convBase, head, model} = fineTuneModel(H);
  const optimizer = tf.train.momentum(1e-4, 0.9);
  const x = tf.randomUniform([B, H, H, 3], -60, 60, 'float32', 7);
  const y = tf.tensor2d(Array.from({length: B}, (_, i) => i % 2), [B, 1]);
  const losses = [];
  let step;
  if (variant === 'split') {
    const {frozen, top} = splitModels(convBase, head, H);
    top.compile({optimizer, loss: P.lossFor(2), metrics: ['accuracy']});
    step = async () => {
      const features = frozen.predict(x);
      try {
        return await top.trainOnBatch(features, y);
      } finally {
        features.dispose();
      }
    };
  } else {
    model.compile({optimizer, loss: P.lossFor(2), metrics: ['accuracy']});
    step = () => model.trainOnBatch(x, y);
  }
  const once = async () => {
    const t = performance.now();
    const [loss] = await step();
    losses.push(loss);
    return performance.now() - t;
  };
  const timing = await timeLoop(`train:${H}:${B}:${variant}`, once);
  const {tot, perBlock} = convFlops(H);
  const approxFlop = tot + (perBlock[4] / 3) * 5; // forward + block5's three dW and two dx
  const r = {task: 'train', H, B, variant, ...timing, msPerImg: +(timing.medianMs / B).toFixed(4), imgPerS: +((B * 1000) / timing.medianMs).toFixed(1), approxTflops: +((approxFlop * B) / (timing.medianMs / 1000) / 1e12).toFixed(3), losses: losses.map((v) => +(+v).toFixed(5)), lossesFinite: losses.every((v) => Number.isFinite(+v))};
  r.profile = await kernelProfile(async () => {
    await step();
    return tf.scalar(0);
  });
  r.memory = tf.memory();
  result(r);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
}

/**
 * The tutorial's workflow on random data at 150×150, through the project's own code: 2,800 feature
 * extractions (extractFeatures, the policy's batch), the head's 30 epochs on 2,000 + 800 of them
 * (trainHead, RMSprop, batch 20), then fine-tuning (fineTune: augmentation, SGD, batch 16, 800
 * validation images, a checkpoint serialised each epoch) for EPOCHS epochs, timed one by one.
 * The estimate for 20 epochs: the first epoch as measured (it compiles the shaders) plus 19 times
 * the mean of the others. Measured per part and summed.
 */
async function taskWorkflow(variant, epochs, skipHead) {
  useVariant(variant);
  // The tutorial's sizes; smaller ones only for dry runs on a software adapter.
  const H = +(process.env.WORKFLOW_H || 150), TRAIN = +(process.env.WORKFLOW_TRAIN || 2000), VAL = +(process.env.WORKFLOW_VAL || 800), POOL = 256;
  const imageBytes = H * H * 3;
  const pool = new Uint8Array(POOL * imageBytes);
  let seed = 17;
  for (let i = 0; i < pool.length; i++) pool[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const readPixels = async (images) => {
    const out = new Uint8Array(images.length * imageBytes);
    images.forEach((img, i) => out.set(pool.subarray((img % POOL) * imageBytes, ((img % POOL) + 1) * imageBytes), i * imageBytes));
    return out;
  };
  const labels = Array.from({length: TRAIN + VAL}, (_, i) => (i * 7919) % 2);
  const r = {task: 'workflow', variant, H, train: TRAIN, validation: VAL};

  // 1. Features of every image (2,800).
  const convBase = P.buildVgg16(H, vggWeights());
  const batchSize = P.preferredBatchSize({backend: 'webgpu', phase: 'inference', inputSize: H, maxBindingBytes: tf.backend().device.limits.maxStorageBufferBindingSize});
  const all = Array.from({length: TRAIN + VAL}, (_, i) => i);
  const warm = all.slice(0, batchSize);
  await P.extractFeatures(convBase, await readPixels(warm), warm.length, {batchSize}); // compiles the shaders
  let t = performance.now();
  const features = await P.extractFeatures(convBase, await readPixels(all), all.length, {batchSize});
  r.features = {seconds: +((performance.now() - t) / 1000).toFixed(2), batchSize, imgPerS: +(all.length / ((performance.now() - t) / 1000)).toFixed(1)};
  result({task: 'workflow-part', variant, part: 'features', ...r.features}); // kept if a time cap stops the rest

  // 2. The head, 30 epochs (no convolutions: the same kernels for every variant).
  const featureSize = features.length / all.length;
  const split = (from, to) => ({features: features.subarray(from * featureSize, to * featureSize), labels: labels.slice(from, to)});
  let head;
  t = performance.now();
  const trained = await P.trainHead({train: split(0, TRAIN), validation: split(TRAIN, TRAIN + VAL), featureShape: [Math.floor(H / 32), Math.floor(H / 32), 512], classCount: 2, options: {...P.DEFAULT_HEAD_OPTIONS, epochs: skipHead ? 1 : P.DEFAULT_HEAD_OPTIONS.epochs}});
  head = trained.model;
  r.head = {seconds: +((performance.now() - t) / 1000).toFixed(2), epochs: trained.history.length, lastValLoss: +trained.history.at(-1).valLoss.toFixed(4)};
  result({task: 'workflow-part', variant, part: 'head', ...r.head});

  // 3. Fine-tuning, EPOCHS epochs timed one by one.
  const epochSeconds = [];
  let lastEpochEnd = performance.now();
  const checkpoints = {save: async () => {}};
  const result_ = await P.fineTune({
    convBase,
    head,
    train: {images: all.slice(0, TRAIN), labels: labels.slice(0, TRAIN)},
    validation: {images: all.slice(TRAIN), labels: labels.slice(TRAIN)},
    classCount: 2,
    classes: ['a', 'b'],
    spec: {weightsId: 'random-1', layer: 'block5_pool', channels: 512, inputSize: H, preprocessing: 'caffe', resize: 'bilinear'},
    datasetId: 'random',
    options: {...P.DEFAULT_FINE_TUNE, epochs},
    readPixels,
    checkpoints,
    onEpoch: (entry) => {
      const now = performance.now();
      epochSeconds.push(+((now - lastEpochEnd) / 1000).toFixed(2));
      lastEpochEnd = now;
      log(`workflow:${variant}: fine-tune epoch ${entry.epoch}: ${epochSeconds.at(-1)} s, loss ${entry.loss.toFixed(4)}, val ${entry.valLoss.toFixed(4)}`);
    },
  });
  const later = epochSeconds.length > 1 ? epochSeconds.slice(1) : epochSeconds;
  const perEpoch = later.reduce((a, b) => a + b, 0) / later.length;
  const fineTune20 = epochSeconds[0] + perEpoch * (P.DEFAULT_FINE_TUNE.epochs - 1);
  r.fineTune = {epochSeconds, perEpochSeconds: +perEpoch.toFixed(2), trainImgPerS: +(TRAIN / perEpoch).toFixed(1), estimate20EpochsSeconds: +fineTune20.toFixed(1), lossesFinite: result_.history.every((h) => Number.isFinite(h.loss))};
  const method = `measured per part and summed: features (${TRAIN + VAL}) in full; fine-tuning's 20 epochs = epoch 1 + 19 × the mean of epochs 2..${epochs}`;
  if (skipHead) {
    // The head has no convolutions, so it takes what it takes with any variant: add the full run's head time.
    r.estimateSecondsWithoutHead = +(r.features.seconds + fineTune20).toFixed(1);
    r.method = `${method}; the head ran 1 epoch only (add another variant's 30-epoch head time)`;
  } else {
    r.estimateSeconds = +(r.features.seconds + r.head.seconds + fineTune20).toFixed(1);
    r.method = `${method}; the head's 30 epochs in full`;
  }
  result(r);
  result_.model.dispose();
}

/** The head alone (trainHead: 30 epochs, RMSprop, batch 20) on random features of 2,000 + 800 images at input H: the workflow's second part. */
async function taskHead(H, epochs) {
  const side = Math.floor(H / 32);
  const size = side * side * 512;
  const TRAIN = 2000, VAL = 800;
  const features = tf.tidy(() => tf.randomUniform([(TRAIN + VAL) * size], 0, 1, 'float32', 9).dataSync());
  const labels = Array.from({length: TRAIN + VAL}, (_, i) => (i * 7919) % 2);
  const t = performance.now();
  const trained = await P.trainHead({
    train: {features: features.subarray(0, TRAIN * size), labels: labels.slice(0, TRAIN)},
    validation: {features: features.subarray(TRAIN * size), labels: labels.slice(TRAIN)},
    featureShape: [side, side, 512],
    classCount: 2,
    options: {...P.DEFAULT_HEAD_OPTIONS, epochs},
  });
  const seconds = (performance.now() - t) / 1000;
  const steps = epochs * Math.ceil(TRAIN / P.DEFAULT_HEAD_OPTIONS.batchSize);
  result({task: 'head', H, epochs, seconds: +seconds.toFixed(2), msPerStep: +((seconds * 1000) / steps).toFixed(2), epochSeconds: trained.history.map((h) => +h.seconds.toFixed(2)), memory: tf.memory()});
  trained.model.dispose();
}

// ---- main ----------------------------------------------------------------------------------------
async function initBackend() {
  if (WANT === 'cpu') {
    await tf.setBackend('cpu');
    return;
  }
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error('tf.setBackend("webgpu") resolved false');
  const device = tf.backend().device;
  device.lost.then((info) => log('DEVICE LOST:', info?.reason, info?.message));
  device.addEventListener?.('uncapturederror', (event) => log('UNCAPTURED GPU ERROR:', event?.error?.message?.slice(0, 2000)));
  log(`backend ${tf.getBackend()}, subgroup size ${P.subgroupSizeOf(device)}`);
}

const tasks = process.argv.slice(2);
if (!tasks.length) tasks.push('info', 'check:32:2');
let code = 0;
try {
  await initBackend();
} catch (e) {
  log('BACKEND INIT FAILED:', e?.stack || e);
  process.exit(2);
}
for (const task of tasks) {
  const [kind, a, b, c] = task.split(':');
  const t = performance.now();
  try {
    if (kind === 'info') await taskInfo();
    else if (kind === 'check') await taskCheck(+a, +b);
    else if (kind === 'kernels') await taskKernels(+a, +b);
    else if (kind === 'sweep') await taskSweep(+a, +b);
    else if (kind === 'fwd') await taskFwd(+a, +b, c);
    else if (kind === 'train') await taskTrain(+a, +b, c);
    else if (kind === 'workflow') await taskWorkflow(a, +(b || 3), c === 'nohead');
    else if (kind === 'head') await taskHead(+a, +(b || 30));
    else throw new Error(`unknown task ${task}`);
  } catch (e) {
    code = 1;
    log(`TASK ${task} FAILED:`, e?.stack || e);
    result({task, error: String(e?.message || e)});
  }
  log(`task ${task} took ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
log('done');
process.exit(code);
