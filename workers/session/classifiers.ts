import * as tf from '@tensorflow/tfjs';
import type {BackendName, DatasetManifest, FeatureSpec} from '../../src/shared/protocol/index.ts';
import {rebuildFineTuned} from './fine-tuned-model.ts';
import {assertWeightsMatch, headFor} from './lineage.ts';
import type {Session} from './session.ts';

/**
 * The trained models as classifiers of preprocessed pixels, on the
 * inference backend: the head on the conv base the features came from,
 * and the fine-tuned model rebuilt from its checkpoint as step 5 rebuilds
 * it (fine-tuned-model.ts). Live prediction scores camera frames with these.
 */
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

/** The head trained on this dataset, on the session's conv base (both kept by the session). */
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

/** This dataset's fine-tuned model, rebuilt for the caller, who disposes it. */
export async function fineTunedClassifier(session: Session, manifest: DatasetManifest): Promise<PixelClassifier> {
  const {model, spec, classes} = await rebuildFineTuned(session, manifest);
  return {
    model: 'fine-tuned',
    classes,
    spec,
    backend: await session.onBackend('inference'),
    predict: (x) => model.predict(x) as tf.Tensor2D,
    dispose: () => model.dispose(),
  };
}
