import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {version} from '../../../package.json';
import {TrainerClient} from '../../../src/client/trainer-client.ts';
import {ErrorName} from '../../../src/shared/errors.ts';
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
    expect(JSON.parse(h5.attrs.model_config!)).to.deep.equal({class_name: modelJson.modelTopology.class_name, config: modelJson.modelTopology.config});
    const layerNames = modelJson.modelTopology.config.layers.map((l: {config: {name: string}}) => l.config.name);
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
});
