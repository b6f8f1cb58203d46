import type {ResizeMethod} from '../shared/protocol/index.ts';

/**
 * Where the files of public/ are served: next to the library file in the
 * library build (so a course page can load it from any path or CDN), at
 * the app's base (relative to the page) in the app.
 */
export const PUBLIC_BASE: URL =
  import.meta.env.MODE === 'lib' ? new URL(/* @vite-ignore */ './', import.meta.url) : new URL(import.meta.env.BASE_URL, document.baseURI);

/** How a lab is set up: the attributes of <tl-lab>, <tl-playground> or a step used alone. */
export interface LabConfig {
  /** A tfjs layers model.json loaded at start; null: the weights the user loaded last, else DEFAULT_WEIGHTS_URL. */
  weightsUrl: string | null;
  /** The offline demo's folder (backbone/ and the dataset zip). */
  demoUrl: string;
  /** A zip imported at start (a course's own dataset); null: the dataset kept from the last visit. */
  datasetUrl: string | null;
  /** The seed of the split, the head and fine-tuning; null: each step's own default (1). */
  seed: number | null;
  /** Step 2's input size; null: the backbone's own, else the tutorial's 150. */
  inputSize: number | null;
  /** Step 2's resize; null: the backbone's own, else bilinear. */
  resize: ResizeMethod | null;
  /** Settings are shown but cannot be changed (an instructor fixed them). */
  readOnly: boolean;
}

/** Where `npm run weights` puts ImageNet VGG16 (git-ignored: 58 MB). */
export const DEFAULT_WEIGHTS_URL = new URL('models/vgg16/model.json', PUBLIC_BASE).href;

export const DEFAULT_LAB_CONFIG: LabConfig = {
  weightsUrl: null,
  demoUrl: new URL('demo/', PUBLIC_BASE).href,
  datasetUrl: null,
  seed: null,
  inputSize: null,
  resize: null,
  readOnly: false,
};
