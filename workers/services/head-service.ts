import {DEFAULT_HEAD_OPTIONS} from '../../src/shared/defaults.ts';
import type {HeadInfo, HeadRequest, HeadResult, JobEvent} from '../../src/shared/protocol/index.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import type {Listener} from '../runtime/progress.ts';
import type {Session} from '../session/session.ts';
import {loadFeatureSet} from '../training/feature-sets.ts';
import {saveHead} from '../training/head-store.ts';
import {trainHead} from '../training/train-head.ts';

/** Step 3: the classifier head, trained on cached features. */
export function createHeadService(session: Session) {
  return {
    /**
     * Trains the head on cached features only (no zip, no VGG16, no
     * network). Dense layers train on any backend: it runs on the
     * inference one (wasm can do this, unlike convolutions).
     */
    train(jobId: string, {spec, options = {}}: HeadRequest, onEvent?: Listener<JobEvent>): Promise<HeadResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('training the head');
        const train = await loadFeatureSet(manifest, 'train', spec);
        const validation = await loadFeatureSet(manifest, 'validation', spec);
        const backend = await session.onBackend('inference');
        const settings = {...DEFAULT_HEAD_OPTIONS, ...options};
        const featureShape = featureShapeFor(spec.inputSize, spec.channels);
        const trained = await trainHead({
          train,
          validation,
          featureShape,
          classCount: manifest.classes.length,
          options: settings,
          signal,
          onEpoch: (log) => void Promise.resolve(onEvent?.({kind: 'epoch', log})).catch(() => {}),
        });
        const info: HeadInfo = {spec, classes: manifest.classes, datasetId: manifest.id, seed: settings.seed, options: settings, trainedAt: Date.now(), restored: false};
        session.setHead({model: trained.model, info});
        // Kept for the next visit; losing that (a full disk) must not lose the run.
        await saveHead(trained.model, {...info, featureShape}).catch(() => {});
        return {
          history: trained.history,
          bestEpoch: trained.bestEpoch,
          stoppedEarly: trained.stoppedEarly,
          classes: manifest.classes,
          trainCount: train.labels.length,
          validationCount: validation.labels.length,
          backend,
        };
      });
    },

    /** The trained head (this visit's or kept from an earlier one), or null. */
    info(): Promise<HeadInfo | null> {
      return session.serially(async () => (await session.trainedHead())?.info ?? null);
    },
  };
}
