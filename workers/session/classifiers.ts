import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {BackendName, DatasetManifest, FeatureSpec} from '../../src/shared/protocol/index.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import {buildFineTuneModel, loadTrainableWeights} from '../training/fine-tune.ts';
import {buildHead} from '../training/head.ts';
import {assertWeightsMatch, headFor} from './lineage.ts';
import type {Session} from './session.ts';

/**
 * The trained models, built for inference on the inference backend: the
 * head on the conv base, and the fine-tuned model rebuilt from its last
 * checkpoint. Evaluation and live prediction use these, so both score an
 * image with the very same network.
 */

/** The fine-tuned model as one network (block5 and the head from the checkpoint, blocks 1–4 from the loaded weights). */
export interface FineTunedNetwork {
  /** The caller disposes it. */
  network: tf.LayersModel;
  spec: FeatureSpec;
  classes: string[];
  backend: BackendName;
}

/** Rebuilds the fine-tuned model of this dataset from its last checkpoint, on the inference backend (so it works after a reload too). */
export async function fineTunedNetwork(session: Session, manifest: DatasetManifest): Promise<FineTunedNetwork> {
  const checkpoint = await session.checkpoints.load(session.fineTuneRun(manifest.id));
  if (!checkpoint || checkpoint.manifest.datasetId !== manifest.id) {
    throw new NamedError(ErrorName.NotFineTuned, 'No fine-tuned model for this dataset yet: run step 4 first.');
  }
  const {spec, classes} = checkpoint.manifest;
  assertWeightsMatch(session.weights?.info, spec, 'The fine-tuned model');
  const backend = await session.onBackend('inference');
  const head = buildHead(featureShapeFor(spec.inputSize, spec.channels), classes.length, checkpoint.manifest.options.seed);
  const network = buildFineTuneModel(session.freshConvBase(spec.inputSize), head, spec.inputSize);
  try {
    loadTrainableWeights(network, checkpoint);
  } catch (err) {
    network.dispose();
    throw err;
  }
  return {network, spec, classes, backend};
}

/** A trained model from preprocessed pixels to probabilities, and how its images are prepared. */
export interface PixelClassifier {
  model: 'head' | 'fine-tuned';
  classes: string[];
  /** The input size, resize and preprocessing its images get (the dataset's, for features or fine-tuning). */
  spec: FeatureSpec;
  backend: BackendName;
  /** Scores of preprocessed images [n, size, size, 3]: [n, 1] (a sigmoid, two classes) or [n, classes]. */
  predict(x: tf.Tensor4D): tf.Tensor2D;
  /** Frees what was built for it (never what the session keeps: the memoised conv base, the head). */
  dispose(): void;
}

/** The head trained on this dataset, on the conv base its features came from. */
export async function headClassifier(session: Session, manifest: DatasetManifest): Promise<PixelClassifier> {
  const {model: head, info} = headFor(await session.trainedHead(), manifest, 'predicting');
  assertWeightsMatch(session.weights?.info, info.spec, 'The head');
  const backend = await session.onBackend('inference');
  const convBase = session.convBase(info.spec.inputSize, backend);
  return {
    model: 'head',
    classes: info.classes,
    spec: info.spec,
    backend,
    predict: (x) => tf.tidy(() => head.predict(convBase.predict(x) as tf.Tensor) as tf.Tensor2D),
    dispose: () => {},
  };
}

/** The fine-tuned model of this dataset. */
export async function fineTunedClassifier(session: Session, manifest: DatasetManifest): Promise<PixelClassifier> {
  const {network, spec, classes, backend} = await fineTunedNetwork(session, manifest);
  return {
    model: 'fine-tuned',
    classes,
    spec,
    backend,
    predict: (x) => network.predict(x) as tf.Tensor2D,
    dispose: () => network.dispose(),
  };
}
