import type {EvaluationResult, GradCamMap, GradCamResult} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/**
 * Images per job: few, so maps appear while the rest are made, yet enough
 * to carry the fine-tuned model's rebuild for every job (0.7 s for VGG16
 * on wasm here, against 0.45 s an image at 150×150: `npm run bench --
 * grad-cam-32,grad-cam-150`).
 */
const IMAGES_PER_JOB = 8;

/** What made the maps: the model, the layer, the backend, and the grid over the input. */
export type MapsMadeBy = Omit<GradCamResult, 'maps'>;

/** The large view of one image. */
export interface ExplainView {
  image: number;
  /** The class explained; null: the one the model predicts. */
  target: number | null;
  /** The network's input as it saw it (RGB, inputSize × inputSize), once read. */
  pixels: Uint8Array | null;
  pixelsError: unknown;
}

interface Work {
  images: number[];
  target: number | null;
}

/**
 * Step 5's "Show where it looks": Grad-CAM maps of the predictions step 5
 * shows, made by the model that was evaluated, lazily — for the images the
 * gallery has in view, in its order (mistakes first), a few at a time —
 * and for the image opened large, in the class chosen there. Maps belong
 * to one evaluation: a new one drops them.
 */
export class ExplainStep {
  /** The gallery's toggle. */
  shown = false;
  /** Of the maps drawn over the images, 0 to 1. */
  opacity = 0.5;
  /** The job making maps now (its progress, its error). */
  readonly run: StepRun<GradCamResult>;
  view: ExplainView | null = null;
  /** Which model, layer and backend made the maps, and their grid (from the last job). */
  madeBy: MapsMadeBy | null = null;
  #evaluation: EvaluationResult | null = null;
  /** Each image's map for its predicted class. */
  #predicted = new Map<number, GradCamMap>();
  /** Every map made, by "image:target". */
  #byTarget = new Map<string, GradCamMap>();
  #inView: readonly number[] = [];
  #making = false;
  /** The image whose pixels are being read, so they are read once. */
  #readingPixels: number | null = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
  }

  /** Why maps cannot be made for the evaluation step 5 shows, or ''. */
  blocked(): string {
    const result = this.lab.results.result;
    if (!result || this.lab.results.run.running) return 'Evaluate a model first.';
    if (result.model === 'head') {
      if (this.lab.head.run.running) return 'Waiting for the head to finish training (step 3).';
      if (!this.lab.head.trained) return 'Train the head first (step 3).';
    } else {
      if (this.lab.fineTune.run.running) return 'Waiting for fine-tuning to finish (step 4).';
      if (!this.lab.fineTune.current) return 'Fine-tune first (step 4).';
    }
    return this.lab.weights.blocked();
  }

  /** Maps for the gallery, by image: each for the class the model predicts. */
  get maps(): ReadonlyMap<number, GradCamMap> {
    this.#sync();
    return this.#predicted;
  }

  /** The large view's map, once made. */
  get viewMap(): GradCamMap | null {
    this.#sync();
    const view = this.view;
    if (!view) return null;
    return (view.target === null ? this.#predicted.get(view.image) : this.#byTarget.get(`${view.image}:${view.target}`)) ?? null;
  }

  /** Turns the overlay on (maps are made for what is in view) or off (the job in progress is cancelled). */
  setShown(shown: boolean): void {
    this.shown = shown;
    if (shown) void this.#make();
    else {
      this.run.abort();
      this.view = null;
    }
    this.lab.changed();
  }

  setOpacity(opacity: number): void {
    this.opacity = Math.min(1, Math.max(0, opacity));
    this.lab.changed();
  }

  /** The gallery's images in view, in its order: their maps are made next. */
  inView(images: readonly number[]): void {
    this.#inView = images;
    void this.#make();
  }

  /** Opens the large view of an image, explaining its predicted class. */
  open(image: number): void {
    this.#sync();
    this.view = {image, target: null, pixels: null, pixelsError: null};
    this.lab.changed();
    void this.#readPixels();
    void this.#make();
  }

  /** The class the large view explains (null: the predicted one). */
  explainClass(target: number | null): void {
    if (!this.view) return;
    this.view = {...this.view, target};
    this.lab.changed();
    void this.#make();
  }

  close(): void {
    this.view = null;
    this.lab.changed();
  }

  /** Maps of another evaluation (another model, or the same retrained) are not this one's. */
  #sync(): void {
    const evaluation = this.lab.results.result;
    if (evaluation === this.#evaluation) return;
    this.#evaluation = evaluation;
    this.#predicted = new Map();
    this.#byTarget = new Map();
    this.madeBy = null;
    this.view = null;
    this.run.abort();
  }

  /** What to make next: the large view's map first, then the images in view without one. */
  #next(): Work | null {
    this.#sync();
    if (!this.shown || !this.#evaluation || this.blocked()) return null;
    const view = this.view;
    if (view && !this.viewMap) return {images: [view.image], target: view.target};
    const missing = this.#inView.filter((image) => !this.#predicted.has(image));
    return missing.length > 0 ? {images: missing.slice(0, IMAGES_PER_JOB), target: null} : null;
  }

  /**
   * Makes maps, one job at a time, until nothing in view lacks one. A
   * failed or cancelled job stops it (its error is shown) until the next
   * change of what is wanted.
   */
  async #make(): Promise<void> {
    if (this.#making) return;
    this.#making = true;
    try {
      for (let work = this.#next(); work; work = this.#next()) {
        const evaluation = this.#evaluation!;
        const request = {images: work.images, model: evaluation.model, target: work.target};
        const ok = await this.run.run((signal, onProgress) => this.lab.client.explain.gradCam(request, {signal, onEvent: onProgress}));
        if (!ok) break;
        if (evaluation !== this.lab.results.result) continue; // evaluated again meanwhile: these are not its maps
        this.#keep(this.run.value!, work.target === null);
        if (this.view && !this.view.pixels) void this.#readPixels();
        this.lab.changed();
      }
    } finally {
      this.#making = false;
    }
  }

  #keep({maps, ...madeBy}: GradCamResult, predicted: boolean): void {
    this.madeBy = madeBy;
    for (const map of maps) {
      this.#byTarget.set(`${map.image}:${map.target}`, map);
      if (predicted || map.target === map.predicted) this.#predicted.set(map.image, map);
    }
  }

  /** The pixels the network saw for the large view's image (its input size and resize are the maps' own). */
  async #readPixels(): Promise<void> {
    const view = this.view;
    const madeBy = this.madeBy;
    if (!view || !madeBy || view.pixels || this.#readingPixels === view.image) return;
    this.#readingPixels = view.image;
    try {
      const pixels = await this.lab.client.dataset.pixels({indices: [view.image], size: madeBy.inputSize, resize: madeBy.resize});
      if (this.view?.image === view.image) this.view = {...this.view, pixels, pixelsError: null};
    } catch (err) {
      if (this.view?.image === view.image) this.view = {...this.view, pixelsError: err};
    } finally {
      this.#readingPixels = null;
    }
    this.lab.changed();
  }
}
