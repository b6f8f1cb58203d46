import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {version} from '../../../package.json';
import {TrainerClient} from '../../../src/client/trainer-client.ts';
import {ErrorName} from '../../../src/shared/errors.ts';
import {predictionParity} from '../../../src/view-model/prediction-parity.ts';
import type {EvaluationResult, ExportMetadata, ExportResult, Progress} from '../../../src/shared/protocol/index.ts';
import {randomVgg16Bundle} from '../../../workers/model/weights-bundle.ts';
import {asFile, classFolders, encodeBmp, encodePicture, makeZip} from '../../support/dataset-zips.ts';
import {asPredictions, json, loadPlainTfjs, prepareAsMetadataSays, unzip, worstDifference} from '../../support/export-zips.ts';
import {readKerasModelH5} from '../../support/keras-h5.ts';
import {rejection} from '../../support/rejection.ts';

/** Probabilities computed on two backends (the worker's wasm or WebGPU, the page's cpu) agree this closely. */
const TOLERANCE = 1e-4;

/**
 * The zip's tfjs model, opened with plain tfjs in this page, predicts the
 * app's evaluation of the same images; its .h5 holds the same weights in
 * Keras's layout. Returns the model's weights by name, as the shards hold them.
 */
async function checkExport(trainer: TrainerClient, exported: ExportResult, evaluation: EvaluationResult): Promise<Map<string, Float32Array>> {
  const files = await unzip(exported.zip);
  const metadata = json<ExportMetadata>(files, 'metadata.json');
  expect(metadata).to.deep.equal(exported.metadata);
  const modelJson = json(files, 'tfjs/model.json');
  expect(JSON.stringify(modelJson)).not.to.include('SeededDropout');

  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const model = await loadPlainTfjs(files);
  try {
    expect(model.layers.map((l) => l.getClassName())).to.deep.equal([
      ...['Conv2D', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'Conv2D', 'MaxPooling2D'],
      ...Array.from({length: 3}, () => ['Conv2D', 'Conv2D', 'Conv2D', 'MaxPooling2D']).flat(),
      ...['Flatten', 'Dense', 'Dropout', 'Dense'],
    ]);
    const images = evaluation.predictions.map((p) => p.image);
    const pixels = await trainer.dataset.pixels({indices: images, size: metadata.input.height, resize: metadata.preprocessing.resize.method});
    const x = prepareAsMetadataSays(pixels, images.length, metadata);
    const scores = model.predict(x) as tf.Tensor2D;
    const rows = await scores.array();
    tf.dispose([x, scores]);
    const worst = worstDifference(evaluation.predictions, asPredictions(rows, images));
    console.log(`${metadata.model}: plain tfjs (cpu) vs the app's evaluation on ${images.length} test images: max |Δp| ${worst.toExponential(2)}; p = ${evaluation.predictions.map((p) => p.probability.toFixed(4)).join(', ')}`);
    expect(worst).to.be.at.most(TOLERANCE);

    // The .h5: Keras's layout, the same weights bit for bit, the same topology.
    const h5 = await readKerasModelH5(files.get('keras/model.h5')!);
    expect(h5.attrs).to.include({backend: 'tensorflow', keras_version: '2.15.0'});
    // model_config: the tfjs topology with the InputLayer Keras 2 puts first (the batch input shape moves there).
    const topology = modelJson.modelTopology;
    const [first, ...rest] = topology.config.layers;
    const {batch_input_shape: inputShape, ...firstConfig} = first.config;
    expect(inputShape).to.deep.equal([null, metadata.input.height, metadata.input.width, 3]);
    expect(JSON.parse(h5.attrs.model_config!)).to.deep.equal({
      class_name: 'Sequential',
      config: {
        name: topology.config.name,
        layers: [{class_name: 'InputLayer', config: {batch_input_shape: inputShape, dtype: 'float32', sparse: false, name: 'block1_conv1_input'}}, {...first, config: firstConfig}, ...rest],
      },
    });
    const layerNames = topology.config.layers.map((l: {config: {name: string}}) => l.config.name);
    expect(h5.weightsAttrs).to.deep.equal({layer_names: layerNames, backend: 'tensorflow', keras_version: '2.15.0'});
    expect([...h5.layers.keys()].sort()).to.deep.equal([...layerNames].sort());
    const weights = new Map<string, Float32Array>();
    for (const w of model.weights) {
      const layer = w.originalName.split('/')[0]!;
      const stored = h5.layers.get(layer)!.weights.get(`${w.originalName}:0`);
      expect(stored, w.originalName).to.not.equal(undefined);
      expect(stored!.shape).to.deep.equal(w.shape);
      const values = (await w.read().data()) as Float32Array;
      expect(new Uint32Array(stored!.values.buffer).every((v, i) => v === new Uint32Array(values.buffer)[i]), w.originalName).to.equal(true);
      weights.set(w.originalName, values);
    }
    for (const [layer, {weightNames}] of h5.layers) {
      expect(weightNames).to.deep.equal(/^block\d_pool$|^head_(flatten|dropout)$/.test(layer) ? [] : [`${layer}/kernel:0`, `${layer}/bias:0`]);
    }
    return weights;
  } finally {
    model.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  }
}

describe('exporting the trained model', function () {
  it('exports the head on the conv base (full VGG16): tfjs, .h5 and metadata.json that plain tfjs and h5wasm read back alike', async () => {
    const trainer = TrainerClient.start();
    try {
      await trainer.runtime.configure({});
      const manifest = await trainer.dataset.importZip({
        file: asFile(await makeZip(classFolders('', ['ant', 'bee'], 6, 31)), 'insects.zip'),
        options: {seed: 4, fractions: {train: 0.5, validation: 0.25, test: 0.25}},
      });
      await trainer.weights.load({kind: 'random', seed: 5});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'rescale', resize: 'bilinear'});
      await trainer.head.train({spec, options: {epochs: 2, batchSize: 4, seed: 9}});
      const evaluation = await trainer.evaluation.head();
      const baseline = (await trainer.runtime.memory()).numTensors;
      const stop = new AbortController();
      const cancelled = await rejection(trainer.export.create({model: 'head'}, {signal: stop.signal, onEvent: () => stop.abort()}));
      expect(cancelled.name).to.equal(ErrorName.Cancelled);
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);
      const progress: Progress[] = [];
      const started = performance.now();
      const exported = await trainer.export.create({model: 'head', evaluation}, {onEvent: (p) => progress.push(p)});
      console.log(
        `head export: ${(exported.bytes.zip / 2 ** 20).toFixed(1)} MiB zip (${(exported.bytes.tfjsWeights / 2 ** 20).toFixed(1)} MiB tfjs weights, ` +
          `${(exported.bytes.keras / 2 ** 20).toFixed(1)} MiB .h5) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      expect((await trainer.runtime.memory()).numTensors).to.equal(baseline);
      expect(exported.fileName).to.match(/^insects-head-\d{4}-\d\d-\d\d\.zip$/);
      expect(exported.zip.size).to.equal(exported.bytes.zip);
      for (const stage of ['tfjs', 'keras'] as const) {
        const last = progress.filter((p) => p.kind === 'export' && p.stage === stage).at(-1);
        expect(last, stage).to.include({done: stage === 'tfjs' ? exported.bytes.tfjsWeights : exported.bytes.keras});
        expect(last!.done).to.equal(last!.total);
      }

      const m = exported.metadata;
      expect(m).to.include({format: 'transfer-lab-model', schemaVersion: 1, model: 'head'});
      expect(m.app).to.deep.equal({name: 'transfer-lab', version});
      expect(m.classes).to.deep.equal(['ant', 'bee']);
      expect(m.output).to.include({units: 1, activation: 'sigmoid'});
      expect(m.input).to.deep.equal({height: 32, width: 32, channels: 3, layout: 'NHWC', dtype: 'float32'});
      expect(m.preprocessing).to.deep.include({mode: 'rescale', channelOrder: 'RGB', mean: [0, 0, 0], scale: 1 / 255});
      expect(m.preprocessing.resize).to.deep.equal({method: 'bilinear', pil: 'BILINEAR', width: 32, height: 32, keepAspectRatio: false});
      expect(m.backbone).to.deep.include({weightsId: 'random-he-uniform:5', widths: [64, 128, 256, 512, 512], params: 14_714_688 + 512 * 256 + 256 + 256 + 1});
      expect(m.training.head).to.deep.include({seed: 9, options: {optimizer: 'rmsprop', learningRate: 1e-3, epochs: 2, batchSize: 4, seed: 9, earlyStoppingPatience: null}});
      expect(m.training.fineTune).to.equal(null);
      expect(m.dataset).to.deep.equal({id: manifest.id, name: 'insects.zip', counts: manifest.counts, split: manifest.split});
      expect(m.evaluation).to.deep.equal({split: 'test', loss: evaluation.loss, accuracy: evaluation.accuracy, confusion: evaluation.confusion, perClass: evaluation.perClass});
      expect(Date.parse(m.exportedAt)).to.be.closeTo(Date.now(), 5 * 60_000);

      const weights = await checkExport(trainer, exported, evaluation);
      // The conv base is the loaded weights, untouched.
      const loaded = randomVgg16Bundle(5);
      expect(new Float32Array(loaded.data, 0, 3 * 3 * 3 * 64)).to.deep.equal(weights.get('block1_conv1/kernel'));

      const stale = await rejection(trainer.export.create({model: 'fine-tuned', evaluation}));
      expect(stale.name).to.equal(ErrorName.InvalidRequest);
      const notFineTuned = await rejection(trainer.export.create({model: 'fine-tuned'}));
      expect(notFineTuned.name).to.equal(ErrorName.NotFineTuned);
    } finally {
      trainer.dispose();
    }
  });

  it('exports the fine-tuned model after one epoch; a fresh worker loads it back and predicts as the app did, on the test split and on new images', async () => {
    const widths = [8, 16, 16, 32, 32];
    const files = classFolders('', ['cat', 'cow', 'owl'], 4, 41);
    const trainer = TrainerClient.start();
    let exported: ExportResult;
    let evaluation: EvaluationResult;
    let manifest;
    try {
      await trainer.runtime.configure({});
      manifest = await trainer.dataset.importZip({file: asFile(await makeZip(files), 'farm.zip'), options: {seed: 2, fractions: {train: 0.5, validation: 0.25, test: 0.25}}});
      await trainer.weights.load({kind: 'random', seed: 8, widths});
      const {spec} = await trainer.features.compute({inputSize: 32, preprocessing: 'rescale', resize: 'bicubic'});
      await trainer.head.train({spec, options: {epochs: 2, batchSize: 4, seed: 4}});
      await trainer.fineTune.run({epochs: 1, batchSize: 4, seed: 3});
      evaluation = await trainer.evaluation.fineTuned();
      exported = await trainer.export.create({model: 'fine-tuned', evaluation});
      const m = exported.metadata;
      expect(m).to.include({model: 'fine-tuned'});
      expect(m.output).to.include({units: 3, activation: 'softmax'});
      expect(m.preprocessing.resize).to.include({method: 'bicubic', pil: 'BICUBIC'});
      expect(m.backbone.widths).to.deep.equal(widths);
      expect(m.training.fineTune).to.deep.include({epochs: 1});
      expect(m.training.fineTune!.options).to.include({seed: 3, epochs: 1, batchSize: 4});
      expect(m.training.fineTune!.history).to.have.length(1);
      expect(m.training.head).to.deep.include({seed: 4});
      expect(m.evaluation).to.include({accuracy: evaluation.accuracy, loss: evaluation.loss});

      const weights = await checkExport(trainer, exported, evaluation);
      // Blocks 1–4 are the loaded weights; block5 (and the head) come from the fine-tuning checkpoint.
      const loaded = randomVgg16Bundle(8, widths);
      const offsetOf = (name: string) => {
        const index = loaded.specs.findIndex((s) => s.name === name);
        return loaded.specs.slice(0, index).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
      };
      const original = (name: string) => new Float32Array(loaded.data, offsetOf(name), weights.get(name)!.length);
      expect(weights.get('block4_conv3/kernel')).to.deep.equal(original('block4_conv3/kernel'));
      expect(weights.get('block5_conv1/kernel')).not.to.deep.equal(original('block5_conv1/kernel'));
    } finally {
      trainer.dispose();
    }

    const fresh = TrainerClient.start();
    try {
      await fresh.runtime.configure({});
      await fresh.dataset.restore();
      const empty = (await fresh.runtime.memory()).numTensors;
      const datasetZip = await rejection(fresh.export.open({file: asFile(await makeZip(files), 'farm.zip')}));
      expect(datasetZip.name).to.equal(ErrorName.NotAnExport);
      expect(await fresh.export.info()).to.equal(null);
      const noModel = await rejection(fresh.export.predictSplit());
      expect(noModel.name).to.equal(ErrorName.NoExportLoaded);

      const exportFile = asFile(exported.zip, exported.fileName);
      const progress: Progress[] = [];
      const info = await fresh.export.open({file: exportFile}, {onEvent: (p) => progress.push(p)});
      expect(info.metadata).to.deep.equal(exported.metadata);
      expect(info).to.include({fileName: exported.fileName, bytes: exported.bytes.zip, params: exported.metadata.backbone.params});
      expect(progress.at(-1)).to.include({kind: 'export', stage: 'read', done: exported.bytes.tfjsWeights});
      const withModel = (await fresh.runtime.memory()).numTensors;
      expect(withModel).to.equal(empty + 30); // 13 conv layers and 2 dense ones, a kernel and a bias each

      const again = await fresh.export.predictSplit();
      expect(again).to.include({split: 'test', model: 'fine-tuned', datasetId: evaluation.datasetId});
      const parity = predictionParity(evaluation, again, TOLERANCE);
      console.log(`the export loaded back in a fresh worker vs the app's evaluation on the test split: max |Δp| ${parity.maxProbabilityDifference.toExponential(2)}`);
      expect(parity).to.include({compared: evaluation.predictions.length, equal: true});
      const stop = new AbortController();
      const stopped = await rejection(fresh.export.predictSplit({}, {signal: stop.signal, onEvent: () => stop.abort()}));
      expect(stopped.name).to.equal(ErrorName.Cancelled);
      expect((await fresh.runtime.memory()).numTensors).to.equal(withModel);

      // New images: the test split's own files give the test split's predictions; the rest are skipped or ignored, with reasons.
      const testPaths = evaluation.predictions.map((p) => manifest.images[p.image]!.path);
      const png = await encodePicture('png', {width: 50, height: 40, seed: 5});
      const photos = await makeZip({'photos/a.png': png, 'photos/b.bmp': encodeBmp({seed: 7}), '__MACOSX/photos/._a.png': 'junk', 'photos/readme.md': '# notes'});
      const predicted = await fresh.export.predictImages({
        files: [
          ...testPaths.map((path) => ({file: new File([files[path] as Uint8Array<ArrayBuffer>], path.split('/').at(-1)!), path})),
          new File([png], '=cmd.png'),
          new File(['hello'], 'notes.txt'),
          new File([png.slice(0, 40)], 'broken.png'),
          asFile(photos, 'photos.zip'),
        ],
      });
      expect(predicted.predictions.map((p) => p.path)).to.deep.equal([...testPaths, '=cmd.png', 'photos.zip/photos/a.png', 'photos.zip/photos/b.bmp']);
      for (const p of predicted.predictions) {
        expect(p.top.map((c) => c.class).sort()).to.deep.equal(['cat', 'cow', 'owl']);
        expect(p.top.map((c) => c.probability)).to.deep.equal([...p.top.map((c) => c.probability)].sort((a, b) => b - a));
        expect(p.top.reduce((sum, c) => sum + c.probability, 0)).to.be.closeTo(1, 1e-5);
      }
      const asSplit = predicted.predictions.slice(0, testPaths.length).map((p, i) => ({image: evaluation.predictions[i]!.image, predicted: p.top[0]!.label, probability: p.top[0]!.probability}));
      expect(worstDifference(again.predictions, asSplit)).to.be.at.most(1e-6);
      expect(predicted.skipped).to.deep.equal([{path: 'broken.png', reason: 'truncated', message: 'the PNG file is cut short (its end marker is missing).'}]);
      expect(predicted.ignored.count).to.equal(3);
      expect(predicted.ignored.examples).to.have.members(['notes.txt', 'photos.zip/__MACOSX/photos/._a.png', 'photos.zip/photos/readme.md']);
      const csv = predicted.csv.split('\r\n');
      expect(csv[0]).to.equal('path,top1,top1_probability,top2,top2_probability,top3,top3_probability');
      expect(csv[testPaths.length + 1]).to.match(/^'=cmd\.png,(cat|cow|owl),0\.\d{6},/);
      expect(csv).to.have.length(predicted.predictions.length + 2); // the header, a row each, the final CRLF
      expect((await fresh.runtime.memory()).numTensors).to.equal(withModel);

      const topOne = await fresh.export.predictImages({files: [new File([png], 'one.png')], topK: 1});
      expect(topOne.predictions[0]!.top).to.have.length(1);
      const badK = await rejection(fresh.export.predictImages({files: [], topK: 4}));
      expect(badK.name).to.equal(ErrorName.InvalidRequest);
      const controller = new AbortController();
      const cancelled = await rejection(
        fresh.export.predictImages({files: Array.from({length: 40}, (_, i) => new File([png], `${i}.png`))}, {signal: controller.signal, onEvent: () => controller.abort()}),
      );
      expect(cancelled.name).to.equal(ErrorName.Cancelled);
      expect((await fresh.runtime.memory()).numTensors).to.equal(withModel);

      // A bad zip leaves the loaded model; a good one replaces it (the old one freed); close frees it.
      const notAZip = await rejection(fresh.export.open({file: new File(['not a zip'], 'model.zip')}));
      expect(notAZip.name).to.equal(ErrorName.NotAnExport);
      expect((await fresh.export.info())?.fileName).to.equal(exported.fileName);
      await fresh.export.open({file: exportFile});
      expect((await fresh.runtime.memory()).numTensors).to.equal(withModel);
      await fresh.export.close();
      expect(await fresh.export.info()).to.equal(null);
      expect((await fresh.runtime.memory()).numTensors).to.equal(empty);
    } finally {
      fresh.dispose();
    }
  });
});
