import type {FrameSource, LiveEvent, LiveModel, LiveStartedEvent, LiveSummary} from '../shared/protocol/index.ts';
import {Camera} from './camera.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';
import type {FrameGrabber} from './webcam.ts';

/** The achieved rate is measured over this many frames. */
const RATE_WINDOW = 10;

/** How long to wait before asking again while the video has no frame yet (it is starting). */
const NO_FRAME_RETRY_MS = 50;

/**
 * After step 5: the trained head (on the conv base) or the fine-tuned
 * model predicting camera frames in the worker, with a probability per
 * class and the rate actually achieved. The worker asks for each frame
 * when it has finished the one before, so one frame at most is in flight
 * and the camera's other frames are dropped, not queued.
 *
 * It stops, with its camera's tracks, when the user stops it, when the tab
 * is hidden, and when the camera goes away; the worker then disposes what
 * it built and releases the frame source.
 *
 * Predictions arrive at the frame rate: they are announced as 'prediction'
 * events on this object (the element showing them listens), not as the
 * lab's 'change', which would re-render every step that many times a second.
 */
export class LivePredictStep extends EventTarget {
  readonly camera: Camera;
  readonly run: StepRun<LiveSummary>;
  /** The model chosen (the head until a fine-tuned one exists). */
  model: LiveModel = 'head';
  /** What the running (or last) prediction runs: classes, input, backend. */
  started: LiveStartedEvent | null = null;
  /** The last frame's probability per class, in class order. */
  probabilities: number[] | null = null;
  /** Frames predicted since the start. */
  frames = 0;
  /** Frames per second actually predicted, over the last few; null before two. */
  rate: number | null = null;
  #times: number[] = [];
  #endFrames: (() => void) | null = null;

  constructor(private readonly lab: Lab) {
    super();
    this.run = lab.stepRun();
    this.camera = new Camera(
      () => lab.changed(),
      () => this.#end(),
    );
  }

  get running(): boolean {
    return this.run.running;
  }

  /** Why predicting with this model waits, or ''. */
  blocked(model: LiveModel): string {
    const {lab} = this;
    const waiting = lab.dataset.blocked() || lab.weights.blocked();
    if (waiting) return waiting;
    if (model === 'head') {
      if (lab.head.run.running) return 'Waiting for the head to finish training (step 3).';
      return lab.head.trained ? '' : 'Train the head first (step 3).';
    }
    if (lab.fineTune.run.running) return 'Waiting for fine-tuning to finish (step 4).';
    return lab.fineTune.current ? '' : 'Fine-tune first (step 4).';
  }

  /**
   * Turns the camera on and predicts its frames until stopped; resolves
   * when it has stopped (true when it ended without an error).
   */
  async start(model: LiveModel, grab: FrameGrabber): Promise<boolean> {
    if (this.running) return false;
    this.model = model;
    this.started = null;
    this.probabilities = null;
    this.frames = 0;
    this.rate = null;
    this.#times = [];
    if (!(await this.camera.start())) return false;
    let ending = false;
    const ended = new Promise<null>((resolve) => {
      this.#endFrames = () => {
        ending = true;
        resolve(null);
      };
    });
    const nextFrame: FrameSource = async () => {
      while (!ending) {
        const grabbing = grab();
        const bitmap = await Promise.race([grabbing, ended]);
        if (ending) {
          void grabbing.then((late) => late?.close(), () => {});
          return null;
        }
        if (bitmap) return bitmap;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, NO_FRAME_RETRY_MS)), ended]);
      }
      return null;
    };
    try {
      return await this.run.run((signal) => this.lab.client.webcam.predictLive({model, nextFrame}, {signal, onEvent: (event) => this.#onEvent(event)}));
    } finally {
      this.#endFrames = null;
      // However it ended (stopped, or an error in the worker), the camera goes off with it.
      this.camera.stop();
    }
  }

  /** Stops predicting and turns the camera off (its tracks stopped). */
  stop(): void {
    this.#end();
    this.camera.stop();
  }

  /** The page gives no more frames (the worker ends at its next ask) and the job is cancelled (in case it has not started yet). */
  #end(): void {
    this.#endFrames?.();
    this.run.abort();
  }

  #onEvent(event: LiveEvent): void {
    if (event.kind === 'live-started') {
      this.started = event;
      this.lab.changed();
      return;
    }
    this.probabilities = event.probabilities;
    this.frames = event.frame;
    const now = performance.now();
    this.#times = [...this.#times.slice(-(RATE_WINDOW - 1)), now];
    const span = now - this.#times[0]!;
    this.rate = this.#times.length > 1 && span > 0 ? ((this.#times.length - 1) * 1000) / span : null;
    this.dispatchEvent(new Event('prediction'));
  }
}
