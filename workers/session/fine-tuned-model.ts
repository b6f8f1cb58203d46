import type * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {DatasetManifest, FeatureSpec} from '../../src/shared/protocol/index.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import {buildFineTuneModel, loadTrainableWeights} from '../training/fine-tune.ts';
import {buildHead} from '../training/head.ts';
import {assertWeightsMatch} from './lineage.ts';
import type {Session} from './session.ts';

export interface FineTunedModel {
  /** The conv base and the head as one model; disposing it frees both. */
  model: tf.LayersModel;
  convBase: tf.LayersModel;
  head: tf.LayersModel;
  spec: FeatureSpec;
  classes: string[];
}

/**
 * This dataset's fine-tuned model, rebuilt on the inference backend from
 * its current checkpoint (this session's run, else the newest) and the
 * loaded weights, so it works after a reload too. The caller disposes
 * `model`.
 */
export async function rebuildFineTuned(session: Session, manifest: DatasetManifest): Promise<FineTunedModel> {
  const checkpoint = await session.checkpoints.load(session.fineTuneRun(manifest.id));
  if (!checkpoint || checkpoint.manifest.datasetId !== manifest.id) {
    throw new NamedError(ErrorName.NotFineTuned, 'No fine-tuned model for this dataset yet: run step 4 first.');
  }
  const {spec, classes} = checkpoint.manifest;
  assertWeightsMatch(session.weights?.info, spec, 'The fine-tuned model');
  await session.onBackend('inference');
  const convBase = session.freshConvBase(spec.inputSize);
  const head = buildHead(featureShapeFor(spec.inputSize, spec.channels), classes.length, checkpoint.manifest.options.seed);
  const model = buildFineTuneModel(convBase, head, spec.inputSize);
  try {
    loadTrainableWeights(model, checkpoint);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return {model, convBase, head, spec, classes};
}
