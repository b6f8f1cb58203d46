import * as tf from '@tensorflow/tfjs';
import {transfer} from 'comlink';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {EXPLAINED_LAYER, type DatasetManifest, type FeatureSpec, type GradCamMap, type GradCamRequest, type GradCamResult, type Progress} from '../../src/shared/protocol/index.ts';
import {gradCam, splitAt, type SplitClassifier} from '../explain/grad-cam.ts';
import {preprocessPixels} from '../model/preprocess.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {betweenBatches} from '../runtime/jobs.ts';
import {rebuildFineTuned} from '../session/fine-tuned-model.ts';
import {assertWeightsMatch, headFor} from '../session/lineage.ts';
import type {Session} from '../session/session.ts';

const DEFAULT_BATCH = 8;
const MAX_BATCH = 64;
/** Four 2×2 max pools lie between the input and block5: one block5_conv3 cell per 16×16 input pixels. */
const CELL_PIXELS = 16;

/** A model to explain, cut at block5_conv3, and what frees it when the job ends. */
interface Explained {
  classifier: SplitClassifier;
  spec: FeatureSpec;
  classes: string[];
  release: () => void;
}

/** Step 5, "where it looks": Grad-CAM maps of the head's or the fine-tuned model's predictions. */
export function createExplainService(session: Session) {
  return {
    /**
     * Grad-CAM at block5_conv3 for dataset images, on the inference
     * backend (every backend has the kernels its gradient needs: from
     * block5_conv3 to the output there are only a max pool, dense layers
     * and dropout — wasm included, which cannot backpropagate into a
     * convolution's filters). Batched; progress per image; a cancel stops
     * it between batches.
     */
    gradCam(jobId: string, request: GradCamRequest, onEvent?: Listener<Progress>): Promise<GradCamResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('explaining predictions');
        const {images, target = null, batchSize = DEFAULT_BATCH} = request;
        checkRequest(request, manifest, batchSize);
        const explained = request.model === 'head' ? await headOnConvBase(session, manifest) : await fineTuned(session, manifest);
        const backend = await session.onBackend('inference');
        const {spec} = explained;
        const report = progressReporter('explain', onEvent);
        const maps: GradCamMap[] = [];
        let side = 0;
        try {
          report(0, images.length);
          for (let start = 0; start < images.length; start += batchSize) {
            await betweenBatches(signal);
            const batch = images.slice(start, start + batchSize);
            const pixels = await session.dataset.readPixels(batch, spec.inputSize, spec.resize, signal);
            const out = tf.tidy(() => gradCam(explained.classifier, preprocessPixels(pixels, batch.length, spec.inputSize, spec.preprocessing), target));
            try {
              // Read asynchronously: on WebGPU a synchronous read has been seen to return zeros.
              const [values, targets, predicted, probabilities] = await Promise.all([
                out.maps.data() as Promise<Float32Array>,
                out.targets.data(),
                out.predicted.data(),
                out.probabilities.array(),
              ]);
              side = out.maps.shape[1];
              const cells = side * side;
              batch.forEach((image, i) =>
                maps.push({
                  image,
                  target: targets[i]!,
                  predicted: predicted[i]!,
                  probabilities: probabilities[i]!,
                  values: values.slice(i * cells, (i + 1) * cells),
                }),
              );
            } finally {
              tf.dispose(out);
            }
            report(maps.length, images.length);
          }
        } finally {
          explained.release();
        }
        const result: GradCamResult = {
          model: request.model,
          layer: EXPLAINED_LAYER,
          backend,
          datasetId: manifest.id,
          classes: explained.classes,
          inputSize: spec.inputSize,
          resize: spec.resize,
          side: side || Math.floor(spec.inputSize / CELL_PIXELS),
          cellPixels: CELL_PIXELS,
          maps,
        };
        return transfer(result, maps.map((m) => m.values.buffer));
      });
    },
  };
}

function checkRequest({images, model, target}: GradCamRequest, manifest: DatasetManifest, batchSize: number): void {
  const problems: string[] = [];
  if (model !== 'head' && model !== 'fine-tuned') problems.push(`the model is 'head' or 'fine-tuned', not ${String(model)}`);
  if (!Array.isArray(images) || images.some((i) => !Number.isInteger(i) || i < 0 || i >= manifest.images.length)) {
    problems.push(`images are indices of this dataset's images, 0 to ${manifest.images.length - 1}`);
  }
  if (target !== undefined && target !== null && !(Number.isInteger(target) && target >= 0 && target < manifest.classes.length)) {
    problems.push(`the class to explain is one of 0 to ${manifest.classes.length - 1} (${manifest.classes.join(', ')})`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) problems.push(`the batch size is a whole number from 1 to ${MAX_BATCH}`);
  if (problems.length > 0) throw new NamedError(ErrorName.InvalidRequest, `Cannot explain: ${problems.join('; ')}.`, {problems});
}

/** The trained head on the session's conv base (both kept on the inference backend, nothing to free). */
async function headOnConvBase(session: Session, manifest: DatasetManifest): Promise<Explained> {
  const {model: head, info} = headFor(await session.trainedHead(), manifest, 'evaluating');
  assertWeightsMatch(session.weights?.info, info.spec, 'The head');
  const convBase = session.convBase(info.spec.inputSize, await session.onBackend('inference'));
  return {classifier: splitAt([...convBase.layers, ...head.layers], EXPLAINED_LAYER), spec: info.spec, classes: info.classes, release: () => {}};
}

/** block5 and the head from the current fine-tuning checkpoint, rebuilt for this job. */
async function fineTuned(session: Session, manifest: DatasetManifest): Promise<Explained> {
  const {model, convBase, head, spec, classes} = await rebuildFineTuned(session, manifest);
  try {
    return {classifier: splitAt([...convBase.layers, ...head.layers], EXPLAINED_LAYER), spec, classes, release: () => model.dispose()};
  } catch (err) {
    model.dispose();
    throw err;
  }
}
