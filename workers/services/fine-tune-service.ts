import * as tf from '@tensorflow/tfjs';
import {transfer} from 'comlink';
import {DEFAULT_FINE_TUNE} from '../../src/shared/defaults.ts';
import {ErrorName, NamedError, hasErrorName} from '../../src/shared/errors.ts';
import {mulberry32} from '../../src/shared/random.ts';
import type {
  CheckpointInfo,
  FeatureSpec,
  FineTuneOptions,
  FineTuneRequest,
  FineTuneResult,
  JobEvent,
  PreviewRequest,
} from '../../src/shared/protocol/index.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {assertResumable, assertWeightsMatch, headFor} from '../session/lineage.ts';
import type {Session} from '../session/session.ts';
import {augmentBatch, drawAugmentParams} from '../training/augment.ts';
import {imagesOf} from '../training/feature-sets.ts';
import {checkpointInfo, holdingRunLock} from '../training/checkpoint-store.ts';
import {fineTune} from '../training/fine-tune.ts';
import {buildHead} from '../training/head.ts';

/** Step 4: block5 and the head trained together on augmented images, with a checkpoint after every epoch. */
export function createFineTuneService(session: Session) {
  return {
    /**
     * Fine-tunes block5 with the trained head on top, on the training
     * backend. `resume` goes on from the last checkpoint (after a reload, a
     * cancel or an error) with the settings that run started with; only the
     * number of epochs and the batch size (smaller after running out of
     * memory) may change.
     */
    run(jobId: string, request: FineTuneRequest = {}, onEvent?: Listener<JobEvent>): Promise<FineTuneResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('fine-tuning');
        const weights = session.requireWeights('fine-tuning');
        const trainedHead = headFor(await session.trainedHead(), manifest, 'fine-tuning');
        const which = request.runId ? {runId: request.runId} : session.fineTuneRun(manifest.id);
        const checkpoint = request.resume ? await session.checkpoints.load(which) : null;
        if (request.resume && !checkpoint) throw new NamedError(ErrorName.NotFineTuned, 'There is no checkpoint to resume from: start a new fine-tuning run.');
        if (checkpoint) assertResumable(checkpoint.manifest, manifest, trainedHead);
        const spec = checkpoint?.manifest.spec ?? trainedHead.info.spec;
        assertWeightsMatch(weights.info, spec, 'The head');
        const {resume: _resume, runId: _runId, ...asked} = request;
        const options: FineTuneOptions = checkpoint
          ? {
              ...checkpoint.manifest.options,
              epochs: asked.epochs ?? checkpoint.manifest.options.epochs,
              batchSize: asked.batchSize ?? checkpoint.manifest.options.batchSize,
            }
          : {...DEFAULT_FINE_TUNE, ...asked};
        const runId = checkpoint?.manifest.runId ?? crypto.randomUUID();
        return holdingRunLock(runId, async () => {
          session.setFineTuneRun(manifest.id, runId);
          const backend = await session.onBackend('training');
          session.releaseConvBase(); // one VGG16 copy on the backend at a time
          const head = await copyOnBackend(trainedHead.model, spec, manifest.classes.length, options.seed);
          let convBase: tf.LayersModel;
          try {
            convBase = session.freshConvBase(spec.inputSize);
          } catch (err) {
            head.dispose();
            throw err;
          }
          const train = imagesOf(manifest, 'train');
          const firstEpoch = (checkpoint?.manifest.epoch ?? 0) + 1;
          const report = progressReporter('fine-tune', onEvent);
          const total = Math.max(0, options.epochs - firstEpoch + 1) * train.images.length;
          try {
            const result = await fineTune({
              convBase,
              head,
              train,
              validation: imagesOf(manifest, 'validation'),
              classCount: manifest.classes.length,
              classes: manifest.classes,
              spec,
              datasetId: manifest.id,
              options,
              readPixels: (images, jobSignal) => session.dataset.readPixels(images, spec.inputSize, spec.resize, jobSignal),
              checkpoints: session.checkpoints.run(runId),
              ...(checkpoint ? {resume: checkpoint} : {}),
              signal,
              onBatch: ({imagesDone, ...where}) => report(imagesDone, total, {...where, epochs: options.epochs}, where.batch === 0),
              onEpoch: (log) => void Promise.resolve(onEvent?.({kind: 'epoch', log})).catch(() => {}),
            });
            result.model.dispose(); // it lives on in the checkpoint
            return {history: result.history, resumedFrom: checkpoint?.manifest.epoch ?? 0, backend, runId};
          } catch (err) {
            if (hasErrorName(err, ErrorName.GpuDeviceLost)) session.forgetRuntime(); // choose again, without the lost device
            throw err;
          }
        });
      });
    },

    /** The current dataset's fine-tuning checkpoint (this session's run, else the newest), if any: to offer "resume". */
    checkpoint(): Promise<CheckpointInfo | null> {
      return session.serially(async () => {
        const dataset = session.dataset.manifest();
        const manifest = dataset ? await session.checkpoints.manifest(session.fineTuneRun(dataset.id)) : null;
        return manifest && checkpointInfo(manifest);
      });
    },

    /** `count` augmented versions of one dataset image (RGB, size×size each), drawn from `seed`. */
    preview({image, count, seed, augment, size, resize}: PreviewRequest): Promise<Uint8Array> {
      return session.serially(async () => {
        if (!Number.isInteger(count) || count < 1 || count > 64) throw new NamedError(ErrorName.InvalidRequest, `A preview shows 1 to 64 images; got ${count}.`);
        // The training backend: the very transform fine-tuning will use.
        await session.onBackend('training');
        const pixels = await session.dataset.readPixels([image], size, resize);
        const random = mulberry32(seed);
        const params = Array.from({length: count}, () => drawAugmentParams(augment, size, size, random));
        const out = tf.tidy(() => {
          const batch = tf.tensor4d(pixels, [1, size, size, 3], 'int32').toFloat().tile([count, 1, 1, 1]) as tf.Tensor4D;
          return augmentBatch(batch, params).round().clipByValue(0, 255).toInt();
        });
        try {
          const data = Uint8Array.from(await out.data());
          return transfer(data, [data.buffer]);
        } finally {
          out.dispose();
        }
      });
    },
  };
}

/**
 * A copy of the head on the current backend, from its values (read on the
 * backend that holds them): tensors never move between backends.
 */
async function copyOnBackend(head: tf.LayersModel, spec: FeatureSpec, classCount: number, seed: number): Promise<tf.LayersModel> {
  const read = await Promise.all(head.getWeights().map(async (w) => ({values: (await w.data()) as Float32Array, shape: w.shape})));
  const copy = buildHead(featureShapeFor(spec.inputSize, spec.channels), classCount, seed);
  const values = read.map((w) => tf.tensor(w.values, w.shape));
  try {
    copy.setWeights(values);
  } finally {
    tf.dispose(values);
  }
  return copy;
}
