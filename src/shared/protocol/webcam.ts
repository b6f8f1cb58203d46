/** The webcam: frames captured per class (a dataset in the making), and live prediction from the camera. */
import type {BackendName} from './runtime.ts';
import type {FeatureSpec} from './features.ts';

/** The file name of the dataset zip made from the frames (step 1 shows it; saved projects and exports carry it). */
export const WEBCAM_DATASET_NAME = 'webcam.zip';

/** One captured frame as the page sees it: its small preview, not its pixels (those stay in the worker). */
export interface WebcamFrame {
  id: string;
  classId: string;
  /** A small square preview (WebP, cropped to the centre), made as a dataset import makes its thumbnails. */
  thumbnail: Blob;
  width: number;
  height: number;
  /** Bytes of the lossless PNG kept in IndexedDB. */
  bytes: number;
  capturedAt: number;
}

/** A class being captured, with its frames in capture order. */
export interface WebcamClass {
  id: string;
  /** The folder name it gets in the dataset zip. */
  name: string;
  frames: WebcamFrame[];
}

/** The dataset, written out again by its split: `train|validation|test/<class>/<file>`. */
export interface SplitZipResult {
  zip: Blob;
  fileName: string;
  images: number;
}

/** Which trained model predicts from the camera. */
export type LiveModel = 'head' | 'fine-tuned';

/**
 * Asks the page for the next camera frame; null ends live prediction. The
 * worker calls it only when it has finished the frame before, so one frame
 * at most is in flight and frames the camera made meanwhile are dropped.
 * The bitmap comes back transferred.
 */
export type FrameSource = () => Promise<ImageBitmap | null>;

/** What the page asks for (TrainerClient.webcam.predictLive). */
export interface LiveRequest {
  model: LiveModel;
  nextFrame: FrameSource;
}

/**
 * What crosses to the worker: Comlink turns a function into a proxy only
 * as a whole argument, not inside a request, so the frame source crosses
 * as the port it is exposed on (the client does that; the worker wraps it).
 */
export interface LivePredictRequest {
  model: LiveModel;
  /** A transferred MessagePort on which the page exposes a FrameSource with Comlink. */
  frames: MessagePort;
}

/** Live prediction has its model on the backend and asks for frames. */
export interface LiveStartedEvent {
  kind: 'live-started';
  model: LiveModel;
  classes: string[];
  /** Size, resize and preprocessing: each frame is prepared exactly as the dataset's images are. */
  spec: FeatureSpec;
  backend: BackendName;
}

/** One frame's prediction. */
export interface LivePredictionEvent {
  kind: 'live-prediction';
  /** 1, 2, … since the start. */
  frame: number;
  /** One probability per class, in the classes' order (a sigmoid's p and 1 − p for two classes). */
  probabilities: number[];
  /** Time the worker spent on it: pixels, resize, network, read-back. */
  milliseconds: number;
}

export type LiveEvent = LiveStartedEvent | LivePredictionEvent;

export interface LiveSummary {
  model: LiveModel;
  frames: number;
  seconds: number;
  backend: BackendName;
}
