import * as tf from '@tensorflow/tfjs';
import type {FrameSource, LivePredictionEvent} from '../../src/shared/protocol/index.ts';
import {rgbaPixels} from '../dataset/decode-image.ts';
import {resizeRgb} from '../dataset/resize.ts';
import {preprocessPixels} from '../model/preprocess.ts';
import {throwIfCancelled} from '../runtime/jobs.ts';
import type {PixelClassifier} from '../session/classifiers.ts';

export interface LiveJob {
  classifier: PixelClassifier;
  nextFrame: FrameSource;
  signal?: AbortSignal;
  onPrediction?: (event: LivePredictionEvent) => void;
}

/**
 * Predicts camera frames until the page sends none (null) or the job is
 * cancelled. It asks for a frame only when the last one is done, so there
 * is never more than one in flight: a slow backend sees fewer frames, never
 * a queue of old ones. Every bitmap is closed, every tensor disposed.
 */
export async function predictLive({classifier, nextFrame, signal, onPrediction}: LiveJob): Promise<{frames: number; seconds: number}> {
  const started = performance.now();
  let frames = 0;
  for (;;) {
    const bitmap = await untilCancelled(nextFrame(), signal);
    if (!bitmap) break;
    const begun = performance.now();
    let probabilities: number[];
    try {
      throwIfCancelled(signal);
      probabilities = await classifyFrame(classifier, bitmap);
    } finally {
      bitmap.close();
    }
    onPrediction?.({kind: 'live-prediction', frame: ++frames, probabilities, milliseconds: performance.now() - begun});
  }
  return {frames, seconds: (performance.now() - started) / 1000};
}

/**
 * One frame's probability per class, in class order. The frame's pixels
 * are read, resized and preprocessed exactly as a dataset image's are for
 * features and evaluation (DatasetSession.readPixels): the same canvas
 * read, the same PIL-exact resize, the same preprocessing.
 */
export async function classifyFrame(classifier: PixelClassifier, bitmap: ImageBitmap): Promise<number[]> {
  const {inputSize: size, resize, preprocessing} = classifier.spec;
  const pixels = resizeRgb(rgbaPixels(bitmap), size, size, resize);
  const scores = tf.tidy(() => classifier.predict(preprocessPixels(pixels, 1, size, preprocessing)));
  try {
    // Read asynchronously: a synchronous read on WebGPU has been seen to return zeros.
    const row = Array.from(await scores.data());
    // A sigmoid (two classes) gives the probability of the second class.
    return classifier.classes.length === 2 && row.length === 1 ? [1 - row[0]!, row[0]!] : row;
  } finally {
    scores.dispose();
  }
}

/** The next frame, or CancelledError as soon as the job is cancelled (a frame that arrives after that is closed). */
async function untilCancelled(frame: Promise<ImageBitmap | null>, signal?: AbortSignal): Promise<ImageBitmap | null> {
  throwIfCancelled(signal);
  if (!signal) return frame;
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      void frame.then((late) => late?.close(), () => {});
      try {
        throwIfCancelled(signal);
      } catch (err) {
        reject(err);
      }
    };
    signal.addEventListener('abort', onAbort, {once: true});
  });
  try {
    return await Promise.race([frame, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
