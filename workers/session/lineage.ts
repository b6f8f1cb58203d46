import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {DatasetManifest, FeatureSpec, WeightsInfo} from '../../src/shared/protocol/index.ts';
import type {CheckpointManifest} from '../training/checkpoint-store.ts';
import type {HeadSlot} from './session.ts';

/**
 * What belongs with what. A head, a checkpoint or features made for one
 * dataset, split or set of weights must never be used with another: each
 * rule is a function here, with the error that explains which step to run.
 */

/** Same features: every field of the spec equal (key order does not matter). */
export function sameSpec(a: FeatureSpec, b: FeatureSpec): boolean {
  return (
    a.weightsId === b.weightsId &&
    a.layer === b.layer &&
    a.channels === b.channels &&
    a.inputSize === b.inputSize &&
    a.preprocessing === b.preprocessing &&
    a.resize === b.resize
  );
}

/**
 * The head trained on this very dataset and split. Another split's head
 * has seen some of these test images; another dataset's knows other classes.
 */
export function headFor(head: HeadSlot | null, manifest: DatasetManifest, purpose: 'evaluating' | 'fine-tuning' | 'exporting' | 'predicting'): HeadSlot {
  const why = {
    'fine-tuning': 'fine-tuning starts from a trained head: random layers on top of block5 would send large random gradients into it and wreck what it learnt',
    evaluating: 'there is no model to score yet',
    exporting: 'there is no model to export yet',
    predicting: 'there is no model to predict with yet',
  }[purpose];
  if (!head) throw new NamedError(ErrorName.HeadNotTrained, `Train the head first (step 3): ${why}.`);
  if (head.info.datasetId !== manifest.id) {
    throw new NamedError(
      ErrorName.HeadNotTrained,
      `The head was trained on another dataset or split (${head.info.classes.join(', ')}): train it on this one (step 3)${
        purpose === 'evaluating' ? ' — its test images must be new to it' : ''
      }.`,
    );
  }
  return head;
}

/** A checkpoint to resume from must belong to this dataset, split and head. */
export function assertResumable(checkpoint: CheckpointManifest, manifest: DatasetManifest, head: HeadSlot): void {
  if (checkpoint.datasetId !== manifest.id || !sameSpec(checkpoint.spec, head.info.spec)) {
    throw new NamedError(ErrorName.InvalidRequest, 'The checkpoint belongs to another dataset, split or head: start a new fine-tuning run.');
  }
}

/** Features (and a head or checkpoint made on them) need the weights they were computed with. */
export function assertWeightsMatch(weights: WeightsInfo | undefined, spec: FeatureSpec, what: string): void {
  if (weights?.id !== spec.weightsId) {
    throw new NamedError(
      weights ? ErrorName.InvalidRequest : ErrorName.WeightsNotLoaded,
      `${what} was made with other VGG16 weights: load those weights again, or redo steps 2–3 with these.`,
    );
  }
}
