import type {LitElement} from 'lit';
import {property} from 'lit/decorators.js';
import {RESIZE_METHODS, type ResizeMethod} from '../shared/protocol/index.ts';
import type {LabConfig} from './lab-config.ts';

// Lit's mixin pattern: TypeScript requires a mixin's constructor to take `any[]`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T> = new (...args: any[]) => T;

/** The attributes that configure a lab, on every element that may own one. */
export interface LabConfigurable {
  weightsUrl: string | null;
  demoUrl: string | null;
  datasetUrl: string | null;
  seed: number | null;
  inputSize: number | null;
  resize: ResizeMethod | null;
  readOnly: boolean;
  labConfig(): Partial<LabConfig>;
}

/**
 * Adds the lab's configuration attributes to an element: `weights-url`,
 * `demo-url`, `dataset-url`, `seed`, `input-size`, `resize`, `read-only`.
 * They are read when the lab starts; inside a provider, the provider's count.
 */
export function LabConfigMixin<T extends Constructor<LitElement>>(Base: T) {
  class WithLabConfig extends Base implements LabConfigurable {
    /** A tfjs layers model.json loaded at start (default: the weights loaded last, else models/vgg16/model.json next to the app). */
    @property({attribute: 'weights-url'}) weightsUrl: string | null = null;
    /** The offline demo's folder (default: demo/ next to the app or library). */
    @property({attribute: 'demo-url'}) demoUrl: string | null = null;
    /** A dataset zip to import at start, relative to the page (default: the one kept from the last visit). */
    @property({attribute: 'dataset-url'}) datasetUrl: string | null = null;
    /** The seed of the split, the head and fine-tuning. */
    @property({type: Number}) seed: number | null = null;
    /** Step 2's input size (default: the backbone's own, else 150). */
    @property({attribute: 'input-size', type: Number}) inputSize: number | null = null;
    /** Step 2's resize: nearest, bilinear, bicubic or area (default: the backbone's own, else bilinear). */
    @property() resize: ResizeMethod | null = null;
    /** Settings are shown but cannot be changed. */
    @property({attribute: 'read-only', type: Boolean, reflect: true}) readOnly = false;

    labConfig(): Partial<LabConfig> {
      const resolve = (url: string | null) => (url ? new URL(url, document.baseURI).href : undefined);
      const config: Partial<LabConfig> = {readOnly: this.readOnly};
      const weightsUrl = resolve(this.weightsUrl);
      const demoUrl = resolve(this.demoUrl);
      if (weightsUrl) config.weightsUrl = weightsUrl;
      if (demoUrl) config.demoUrl = demoUrl;
      if (this.datasetUrl) config.datasetUrl = resolve(this.datasetUrl)!;
      if (Number.isInteger(this.seed)) config.seed = this.seed;
      if (Number.isInteger(this.inputSize) && this.inputSize! >= 32) config.inputSize = this.inputSize;
      if (RESIZE_METHODS.includes(this.resize as ResizeMethod)) config.resize = this.resize;
      return config;
    }
  }
  return WithLabConfig as Constructor<LabConfigurable> & T;
}
