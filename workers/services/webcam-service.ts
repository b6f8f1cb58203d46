import {releaseProxy, wrap} from 'comlink';
import type {
  FrameSource,
  LiveEvent,
  LivePredictRequest,
  LiveSummary,
  Progress,
  SplitZipResult,
  WebcamClass,
  WebcamFrame,
} from '../../src/shared/protocol/index.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {fineTunedClassifier, headClassifier} from '../session/classifiers.ts';
import type {Session} from '../session/session.ts';
import {encodeFrame} from '../webcam/encode-frame.ts';
import {FrameStore} from '../webcam/frame-store.ts';
import {framesZip} from '../webcam/frames-zip.ts';
import {predictLive} from '../webcam/live-predict.ts';
import {splitZip} from '../webcam/split-zip.ts';

/**
 * The webcam: classes and their captured frames (kept in IndexedDB as they
 * come, until they become a dataset), and live prediction from the camera.
 *
 * Capturing touches neither the backend nor the dataset, so it does not
 * queue behind a running job: the frame store keeps its own order. The
 * dataset is made the way a dropped zip is: `datasetZip()` writes the
 * frames as `<class>/frame-0001.png` and step 1 imports that zip, with the
 * same split, checks, storage and everything after.
 */
export function createWebcamService(session: Session, frames = new FrameStore()) {
  return {
    /** Every class with its frames' previews, as kept (after a reload too). */
    classes(): Promise<WebcamClass[]> {
      return frames.classes();
    },

    addClass(name: string): Promise<WebcamClass> {
      return frames.addClass(name);
    },

    /** Resolves with the name as kept (trimmed). */
    renameClass(classId: string, name: string): Promise<string> {
      return frames.renameClass(classId, name);
    },

    /** The class and every frame of it. */
    removeClass(classId: string): Promise<void> {
      return frames.removeClass(classId);
    },

    /**
     * Keeps one frame (the bitmap arrives transferred and is closed here):
     * encoded as a lossless PNG, with the dataset import's thumbnail.
     */
    async capture(classId: string, bitmap: ImageBitmap): Promise<WebcamFrame> {
      let encoded;
      try {
        encoded = await encodeFrame(bitmap);
      } finally {
        bitmap.close();
      }
      return frames.addFrame(classId, encoded);
    },

    deleteFrame(classId: string, frameId: string): Promise<void> {
      return frames.deleteFrame(classId, frameId);
    },

    /** Deletes a class's frames; the class stays. */
    clearClass(classId: string): Promise<void> {
      return frames.clearClass(classId);
    },

    /** The frames as a dataset zip (`<class>/frame-0001.png`; an empty class as its folder), for step 1 to import. */
    async datasetZip(): Promise<File> {
      return framesZip(await frames.contents());
    },

    /** The current dataset, written out by its split as `train|validation|test/<class>/<file>`. */
    splitZip(jobId: string, _request: Record<string, never> = {}, onEvent?: Listener<Progress>): Promise<SplitZipResult> {
      return session.job(jobId, onEvent, (signal) => {
        const manifest = session.requireDataset('downloading it by split');
        const report = progressReporter('split-zip', onEvent);
        return splitZip(manifest, {read: (index, readSignal) => session.dataset.readFile(index, readSignal), signal, onImage: report});
      });
    },

    /**
     * Predicts camera frames with the head (on the conv base) or the
     * fine-tuned model, on the inference backend, until the page's frame
     * source gives null or the job is cancelled. Like every job it has the
     * worker to itself while it runs. The frame source is let go when it ends.
     */
    predictLive(jobId: string, {model, frames}: LivePredictRequest, onEvent?: Listener<LiveEvent>): Promise<LiveSummary> {
      const nextFrame = wrap<FrameSource>(frames);
      return session
        .job(jobId, onEvent, async (signal) => {
          const manifest = session.requireDataset('predicting');
          const classifier = await (model === 'head' ? headClassifier : fineTunedClassifier)(session, manifest);
          // Fire and forget, as progress is: a slow page must not slow the predictions.
          const send = (event: LiveEvent) => void Promise.resolve(onEvent?.(event)).catch(() => {});
          try {
            const {classes, spec, backend} = classifier;
            send({kind: 'live-started', model, classes, spec, backend});
            const {frames: count, seconds} = await predictLive({classifier, nextFrame, signal, onPrediction: send});
            return {model, frames: count, seconds, backend};
          } finally {
            classifier.dispose();
          }
        })
        .finally(() => nextFrame[releaseProxy]());
    },
  };
}
