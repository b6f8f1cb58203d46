/** Step 5, "where it looks": Grad-CAM maps of the head's or the fine-tuned model's predictions. */
import type {ResizeMethod} from './features.ts';
import type {BackendName} from './runtime.ts';

/** Which model to explain: the head on the frozen conv base, or block5 and the head after fine-tuning. */
export type ExplainedModel = 'head' | 'fine-tuned';

/** The conv layer Grad-CAM looks at: VGG16's last, the deepest with a spatial layout. */
export const EXPLAINED_LAYER = 'block5_conv3';

export interface GradCamRequest {
  /** Manifest indices of the images to explain (any split). */
  images: number[];
  model: ExplainedModel;
  /** The class to explain for every image; by default each image's predicted class. */
  target?: number | null;
  /** Images per forward and backward pass (default 8). */
  batchSize?: number;
}

/** One image's map. */
export interface GradCamMap {
  /** Manifest index. */
  image: number;
  /** The class explained. */
  target: number;
  /** The model's prediction for this image now, and its probability for every class. */
  predicted: number;
  probabilities: number[];
  /**
   * side×side values in [0, 1], row-major, over block5_conv3's grid: ReLU of
   * the gradient-weighted sum of its feature maps, divided by this image's
   * own maximum. All zero when no region raises the class's score.
   */
  values: Float32Array;
}

export interface GradCamResult {
  model: ExplainedModel;
  layer: typeof EXPLAINED_LAYER;
  /** Where the maps were computed (the inference backend). */
  backend: BackendName;
  datasetId: string;
  classes: string[];
  /** The network's input: `dataset.pixels` with these gives the very pixels the maps are about. */
  inputSize: number;
  resize: ResizeMethod;
  /** The maps' side: block5_conv3's grid, inputSize / 16 rounded down (2 at 32 pixels, 9 at 150). */
  side: number;
  /**
   * Input pixels per map cell (16: four 2×2 max pools before block5): cell
   * (row, col) sits over pixels [16·row, 16·row + 16) × [16·col, 16·col + 16).
   * What it sees is far wider: block5_conv3's receptive field is 196 pixels.
   */
  cellPixels: number;
  maps: GradCamMap[];
}
