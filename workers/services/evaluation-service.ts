import type {EvaluationRequest, EvaluationResult, Progress} from '../../src/shared/protocol/index.ts';
import {preprocessPixels} from '../model/preprocess.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {rebuildFineTuned} from '../session/fine-tuned-model.ts';
import {headFor} from '../session/lineage.ts';
import type {Session} from '../session/session.ts';
import {evaluateClassifier, evaluateOnImages} from '../training/evaluate.ts';
import {imagesOf, loadFeatureSet} from '../training/feature-sets.ts';

/** Step 5: the head, or the fine-tuned model, scored on a split. */
export function createEvaluationService(session: Session) {
  return {
    /** Scores the trained head on a split (the test split by default) from cached features. */
    head(jobId: string, {split = 'test'}: EvaluationRequest = {}, onEvent?: Listener<Progress>): Promise<EvaluationResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('evaluating');
        const {model, info} = headFor(await session.trainedHead(), manifest, 'evaluating'); // on the inference backend
        const input = await loadFeatureSet(manifest, split, info.spec);
        const report = progressReporter('evaluation', onEvent);
        const scored = await evaluateClassifier(model, input, featureShapeFor(info.spec.inputSize, info.spec.channels), info.classes.length, {
          signal,
          onBatch: (done, total) => report(done, total),
        });
        return {split, model: 'head', classes: info.classes, datasetId: manifest.id, ...scored};
      });
    },

    /**
     * Scores the fine-tuned model on a split (test by default), from the
     * images themselves (block5 changed: cached features no longer apply).
     * The model is rebuilt from the last checkpoint on the inference
     * backend, so this works after a reload too.
     */
    fineTuned(jobId: string, {split = 'test'}: EvaluationRequest = {}, onEvent?: Listener<Progress>): Promise<EvaluationResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('evaluating');
        const {model, spec, classes} = await rebuildFineTuned(session, manifest);
        const report = progressReporter('evaluation', onEvent);
        try {
          const scored = await evaluateOnImages(
            model,
            imagesOf(manifest, split),
            classes.length,
            async (batch) => {
              const pixels = await session.dataset.readPixels(batch, spec.inputSize, spec.resize, signal);
              return preprocessPixels(pixels, batch.length, spec.inputSize, spec.preprocessing);
            },
            {signal, onBatch: (done, total) => report(done, total)},
          );
          return {split, model: 'fine-tuned', classes, datasetId: manifest.id, ...scored};
        } finally {
          model.dispose();
        }
      });
    },
  };
}
