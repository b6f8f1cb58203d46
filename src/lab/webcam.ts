import {WEBCAM_DATASET_NAME, type SplitZipResult, type WebcamClass, type WebcamFrame} from '../shared/protocol/index.ts';
import {Camera} from './camera.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** How often a held Capture button takes a frame (when the worker keeps up; a frame still being kept is not queued behind). */
export const CAPTURE_FRAMES_PER_SECOND = 5;

/** Takes the camera's current frame; null while it has none. */
export type FrameGrabber = () => Promise<ImageBitmap | null>;

/**
 * Step 1 from the camera: classes, frames captured for each while a button
 * is held (kept by the worker in IndexedDB as they come, so none is lost
 * to a reload or a camera that goes away), then made into a dataset zip
 * that step 1 imports like a dropped one.
 */
export class WebcamStep {
  readonly camera: Camera;
  /** Classes in the order they were made, each with its frames in capture order. */
  classes: WebcamClass[] = [];
  /** The classes and frames kept from earlier have been read. */
  loaded = false;
  /** The class whose Capture button is held, or null. */
  capturing: string | null = null;
  /** Why the last action here failed (a class name, a full disk, a dataset the import refused), or null. */
  error: unknown = null;
  /** The dataset zip is being made and imported from here. */
  making = false;
  /** The dataset by its split, as a zip to download. */
  readonly download: StepRun<SplitZipResult>;
  #loading: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inFlight = false;

  constructor(private readonly lab: Lab) {
    this.camera = new Camera(
      () => lab.changed(),
      () => this.stopCapture(),
    );
    this.download = lab.stepRun();
  }

  get frameCount(): number {
    return this.classes.reduce((sum, c) => sum + c.frames.length, 0);
  }

  /** Reads the classes and frames kept from earlier (once). */
  load(): Promise<void> {
    this.#loading ??= this.refresh().then(() => {});
    return this.#loading;
  }

  /** Reads the classes and frames as kept now (again after the storage list deleted them). */
  refresh(): Promise<boolean> {
    return this.#act(async () => {
      this.classes = await this.lab.client.webcam.classes();
      this.loaded = true;
    });
  }

  addClass(name: string): Promise<boolean> {
    return this.#act(async () => {
      const made = await this.lab.client.webcam.addClass(name);
      this.classes = [...this.classes, made];
    });
  }

  renameClass(classId: string, name: string): Promise<boolean> {
    return this.#act(async () => {
      const kept = await this.lab.client.webcam.renameClass(classId, name);
      this.#update(classId, (c) => ({...c, name: kept}));
    });
  }

  removeClass(classId: string): Promise<boolean> {
    if (this.capturing === classId) this.stopCapture();
    return this.#act(async () => {
      await this.lab.client.webcam.removeClass(classId);
      this.classes = this.classes.filter((c) => c.id !== classId);
    });
  }

  deleteFrame(frame: WebcamFrame): Promise<boolean> {
    return this.#act(async () => {
      await this.lab.client.webcam.deleteFrame(frame.classId, frame.id);
      this.#update(frame.classId, (c) => ({...c, frames: c.frames.filter((f) => f.id !== frame.id)}));
    });
  }

  /** Deletes every frame of a class; the class stays. */
  clearClass(classId: string): Promise<boolean> {
    if (this.capturing === classId) this.stopCapture();
    return this.#act(async () => {
      await this.lab.client.webcam.clearClass(classId);
      this.#update(classId, (c) => ({...c, frames: []}));
    });
  }

  /**
   * Captures frames for a class while its button is held: one at once,
   * then CAPTURE_FRAMES_PER_SECOND a second. A tick that finds the last
   * frame still on its way to IndexedDB is skipped, never queued.
   */
  startCapture(classId: string, grab: FrameGrabber): void {
    if (this.capturing !== null || this.camera.state !== 'on') return;
    this.capturing = classId;
    this.error = null;
    this.lab.changed();
    const tick = () => void this.#captureFrame(classId, grab);
    tick();
    this.#timer = setInterval(tick, 1000 / CAPTURE_FRAMES_PER_SECOND);
  }

  stopCapture(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.capturing === null) return;
    this.capturing = null;
    this.lab.changed();
  }

  /** One frame for a class (a key press that is not held). */
  async captureOne(classId: string, grab: FrameGrabber): Promise<void> {
    if (this.capturing === null && this.camera.state === 'on') await this.#captureFrame(classId, grab);
  }

  async #captureFrame(classId: string, grab: FrameGrabber): Promise<void> {
    if (this.#inFlight) return;
    this.#inFlight = true;
    try {
      const bitmap = await grab();
      if (!bitmap) return;
      const frame = await this.lab.client.webcam.capture(classId, bitmap);
      this.#update(classId, (c) => ({...c, frames: [...c.frames, frame]}));
      this.lab.changed();
    } catch (err) {
      this.stopCapture();
      this.error = err;
      this.lab.changed();
    } finally {
      this.#inFlight = false;
    }
  }

  /**
   * Why "Use as dataset" waits, or ''. One class, an empty class or too
   * few frames to split do not block it: the import says so, with the
   * same named error a zip made by hand gets.
   */
  blockedUse(): string {
    if (this.making || this.lab.dataset.run.running) return 'Waiting for the import to finish (step 1).';
    if (this.frameCount === 0) return 'Capture some frames first.';
    return '';
  }

  /**
   * Makes the frames into a dataset zip in the worker (`<class>/frame-0001.png`)
   * and imports it as step 1 imports a dropped zip: the same checks, the
   * same seeded stratified split, kept across reloads.
   */
  async useAsDataset(): Promise<boolean> {
    this.stopCapture();
    this.making = true;
    this.error = null;
    this.lab.changed();
    try {
      const ok = await this.lab.dataset.importFile(await this.lab.client.webcam.datasetZip());
      if (!ok) this.error = this.lab.dataset.run.shownError;
      return ok;
    } catch (err) {
      this.error = err;
      return false;
    } finally {
      this.making = false;
      this.lab.changed();
    }
  }

  /** Step 1's dataset is the one made from the frames (its zip's name says so). */
  get datasetIsWebcam(): boolean {
    return this.lab.dataset.manifest?.name === WEBCAM_DATASET_NAME;
  }

  /** Why downloading the dataset by split waits, or ''. */
  blockedDownload(): string {
    if (!this.datasetIsWebcam) return 'Use the frames as the dataset first.';
    return this.download.running || this.lab.dataset.run.running ? 'Waiting for the running job.' : '';
  }

  /** The dataset as `train|validation|test/<class>/frame-….png`, split as the steps use it. */
  downloadSplit(): Promise<boolean> {
    return this.download.run((signal, onProgress) => this.lab.client.webcam.splitZip({}, {signal, onEvent: onProgress}));
  }

  /** Stops capturing and turns the camera off (the element showing it went away, or the lab ends). */
  stop(): void {
    this.stopCapture();
    this.camera.stop();
  }

  #update(classId: string, change: (c: WebcamClass) => WebcamClass): void {
    this.classes = this.classes.map((c) => (c.id === classId ? change(c) : c));
  }

  /** Runs a quick call; its failure is kept in `error` (the frames kept before are untouched). */
  async #act(work: () => Promise<void>): Promise<boolean> {
    this.error = null;
    try {
      await work();
      return true;
    } catch (err) {
      this.error = err;
      return false;
    } finally {
      this.lab.changed();
    }
  }
}
