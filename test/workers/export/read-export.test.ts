import {expect} from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import {ErrorName} from '../../../src/shared/errors.ts';
import {mulberry32} from '../../../src/shared/random.ts';
import type {ExportMetadata, Preprocessing, WeightsInfo} from '../../../src/shared/protocol/index.ts';
import {classifierTopology, weightedLayers} from '../../../workers/export/classifier-topology.ts';
import {buildMetadata} from '../../../workers/export/export-metadata.ts';
import {loadExportModel, readExport} from '../../../workers/export/read-export.ts';
import {writeExportZip} from '../../../workers/export/write-export.ts';
import {preprocess} from '../../../workers/model/preprocess.ts';
import {asFile, classFolders, makeZip} from '../../support/dataset-zips.ts';
import {json, prepareAsMetadataSays, rezip, unzip} from '../../support/export-zips.ts';
import {makeImages} from '../../support/fixtures.ts';
import {rejection} from '../../support/rejection.ts';
import {sampleManifest} from '../../support/sample-manifest.ts';

const SHAPE = {inputSize: 32, widths: [2, 3, 3, 4, 4], classCount: 2};

/** A small real export (narrow VGG16, seeded weights), written by the app's own writer. */
async function smallExport(preprocessing: Preprocessing = 'caffe'): Promise<Map<string, Uint8Array>> {
  const random = mulberry32(3);
  const weights = weightedLayers(SHAPE).flatMap(({layer, kernel, bias}) => [
    {name: `${layer}/kernel`, shape: kernel, values: Float32Array.from({length: kernel.reduce((a, b) => a * b, 1)}, () => (random() - 0.5) * 0.5)},
    {name: `${layer}/bias`, shape: bias, values: Float32Array.from({length: bias[0]!}, () => (random() - 0.5) * 0.1)},
  ]);
  const metadata = buildMetadata({
    model: 'head',
    spec: {weightsId: 'random-he-uniform:1', layer: 'block5_pool', channels: 4, inputSize: 32, preprocessing, resize: 'nearest'},
    weights: {id: 'random-he-uniform:1', label: 'Random', widths: SHAPE.widths} as WeightsInfo,
    params: weights.reduce((sum, w) => sum + w.values.length, 0),
    manifest: sampleManifest(),
    head: null,
    fineTune: null,
    evaluation: null,
    exportedAt: new Date(),
  });
  // Shards of 1 kB: several of them, as a large model has.
  const written = await writeExportZip({topology: classifierTopology(SHAPE), weights, metadata, shardBytes: 1024});
  return unzip(written.zip);
}

async function open(file: File): Promise<tf.LayersModel> {
  return loadExportModel(await readExport(file));
}

function edited(files: ReadonlyMap<string, Uint8Array>, change: (copy: Map<string, Uint8Array | string>) => void): Promise<File> {
  const copy = new Map<string, Uint8Array | string>(files);
  change(copy);
  return rezip(copy);
}

describe('opening an exported zip', () => {
  let files: Map<string, Uint8Array>;
  before(async () => {
    await tf.setBackend('cpu');
    files = await smallExport();
  });

  it('opens the export, also re-zipped inside a folder, leaving only the model\'s tensors', async () => {
    const shards = [...files.keys()].filter((p) => p.endsWith('.bin'));
    expect(shards.length).to.be.greaterThan(2);
    const before = tf.memory().numTensors;
    for (const file of [await rezip(files), await rezip(new Map([...files].map(([path, bytes]) => [`my model/${path}`, bytes])))]) {
      const read = await readExport(file);
      expect(read.metadata).to.deep.equal(json(files, 'metadata.json'));
      const model = await loadExportModel(read);
      expect(model.outputs[0]!.shape).to.deep.equal([null, 1]);
      expect(tf.memory().numTensors).to.equal(before + model.weights.length);
      model.dispose();
    }
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('describes each preprocessing exactly: metadata.json\'s rule gives the app\'s own network input', async () => {
    const pixels = makeImages(2, 32, 8);
    for (const mode of ['caffe', 'rescale'] as const) {
      const metadata = json<ExportMetadata>(mode === 'caffe' ? files : await smallExport(mode), 'metadata.json');
      const [ours, app] = [prepareAsMetadataSays(pixels, 2, metadata), preprocess(tf.tensor4d(pixels, [2, 32, 32, 3], 'int32'), mode)];
      const worst = (await ours.sub(app).abs().max().data())[0]!;
      tf.dispose([ours, app]);
      expect(worst, mode).to.be.at.most(1e-5);
    }
  });

  /** The k-th shard's path, in the order written (1-based; -1: the last). */
  const shard = (k: number) => [...files.keys()].filter((p) => p.endsWith('.bin')).at(k > 0 ? k - 1 : k)!;
  const cases: Array<[string, () => Promise<File>, string, string?]> = [
    ['a file that is not a zip', async () => new File(['just text'], 'model.zip'), ErrorName.NotAnExport],
    ['a dataset zip', async () => asFile(await makeZip(classFolders('', ['a', 'b'], 2))), ErrorName.NotAnExport],
    ['a tfjs model without metadata.json', () => edited(files, (c) => c.delete('metadata.json')), ErrorName.NotAnExport],
    ['another program\'s metadata.json', () => edited(files, (c) => c.set('metadata.json', '{"format": "something-else"}')), ErrorName.NotAnExport],
    ['metadata of another schema', () => edited(files, (c) => c.set('metadata.json', JSON.stringify({...json(files, 'metadata.json'), schemaVersion: 2}))), ErrorName.ExportVersion],
    ['garbled metadata.json', () => edited(files, (c) => c.set('metadata.json', '{"format": "transfer-lab-model", ')), ErrorName.ExportDamaged, 'metadata'],
    ['metadata.json without classes', () => edited(files, (c) => c.set('metadata.json', JSON.stringify({...json(files, 'metadata.json'), classes: undefined}))), ErrorName.ExportDamaged, 'metadata'],
    ['metadata.json with more classes than the model has outputs', () => edited(files, (c) => c.set('metadata.json', JSON.stringify({...json(files, 'metadata.json'), classes: ['a', 'b', 'c']}))), ErrorName.ExportDamaged, 'metadata'],
    ['no model.json', () => edited(files, (c) => c.delete('tfjs/model.json')), ErrorName.ExportDamaged, 'model-json'],
    ['garbled model.json', () => edited(files, (c) => c.set('tfjs/model.json', '{"modelTopology": ')), ErrorName.ExportDamaged, 'model-json'],
    ['a weights-only model.json (no topology)', () => edited(files, (c) => c.set('tfjs/model.json', JSON.stringify({...json(files, 'tfjs/model.json'), modelTopology: null}))), ErrorName.ExportDamaged, 'model-json'],
    ['a missing shard', () => edited(files, (c) => c.delete(shard(2))), ErrorName.ExportDamaged, 'shards'],
    ['a shard cut short', () => edited(files, (c) => c.set(shard(-1), files.get(shard(-1))!.slice(1))), ErrorName.ExportDamaged, 'shards'],
    [
      'shards whose weights do not fit the topology',
      () =>
        edited(files, (c) => {
          const model = json(files, 'tfjs/model.json');
          model.weightsManifest[0].weights[0].shape = [3, 3, 2, 3]; // the same bytes, another shape
          c.set('tfjs/model.json', JSON.stringify(model));
        }),
      ErrorName.ExportDamaged,
      'model-json',
    ],
  ];
  for (const [what, make, name, code] of cases) {
    it(`names ${what}: ${name}${code ? ` (${code})` : ''}`, async () => {
      const before = tf.memory().numTensors;
      const err = await rejection(make().then(open));
      expect(err.name, err.message).to.equal(name);
      if (code) expect(err.details.code).to.equal(code);
      expect(tf.memory().numTensors).to.equal(before);
    });
  }
});
