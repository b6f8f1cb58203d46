import {DEFAULT_FEATURE_OPTIONS} from '../shared/defaults.ts';
import type {FeatureRunOptions, FeatureRunResult, FeatureSpec, WeightsInfo} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {LastFeatures} from './saved-choices.ts';
import type {StepRun} from './step-run.ts';

/** The features the head trains on: the last run's, or those kept from an earlier visit. */
export type ReadyFeatures = LastFeatures & {result?: FeatureRunResult};

/** Step 2: every image through the conv base once, its bottleneck features cached. */
export class FeaturesStep {
  options: Required<FeatureRunOptions>;
  readonly run: StepRun<FeatureRunResult>;
  /** The last feature run (this visit's, or kept from an earlier one). */
  last: ReadyFeatures | null;
  /** How many cache entries the last "clear" removed. */
  cleared: number | null = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
    const {inputSize, resize} = lab.config;
    this.options = {...DEFAULT_FEATURE_OPTIONS, ...(inputSize !== null ? {inputSize} : {}), ...(resize !== null ? {resize} : {})};
    this.last = lab.choices.lastFeatures;
  }

  /** The features of the dataset in step 1 are in the cache (from this visit, or kept). */
  get ready(): ReadyFeatures | null {
    const manifest = this.lab.dataset.manifest;
    return this.last && manifest && this.last.datasetId === manifest.id ? this.last : null;
  }

  /** Why "Compute features" waits, or ''. */
  blocked(): string {
    return this.lab.dataset.blocked() || this.lab.weights.blocked();
  }

  /**
   * A backbone that says what it was trained with (its model.json's
   * metadata) sets the input size, preprocessing and resize; the user can
   * still change them, and a lab configured with an input size keeps it.
   */
  adoptBackbone(info: WeightsInfo): void {
    const {inputSize, resize} = this.lab.config;
    const {defaults} = info;
    this.options = {
      ...this.options,
      ...(defaults.preprocessing ? {preprocessing: defaults.preprocessing} : {}),
      ...(defaults.inputSize && inputSize === null ? {inputSize: defaults.inputSize} : {}),
      ...(defaults.resize && resize === null ? {resize: defaults.resize} : {}),
    };
    this.lab.changed();
  }

  async compute(options: Required<FeatureRunOptions> = this.options): Promise<boolean> {
    this.options = options;
    this.cleared = null;
    const ok = await this.run.run((signal, onProgress) => this.lab.client.features.compute(options, {signal, onEvent: onProgress}));
    if (!ok) return false;
    const result = this.run.value!;
    const kept: LastFeatures = {spec: result.spec, datasetId: result.datasetId, at: Date.now()};
    this.last = {...kept, result};
    this.lab.choices.lastFeatures = kept;
    this.lab.changed();
    this.lab.announce('tl-features-ready', {spec: result.spec, datasetId: result.datasetId, fromCache: result.fromCache, computed: result.computed, restored: false});
    return true;
  }

  /** Features the worker put in the cache on its own (an opened project's): ready as they are. */
  adopt(spec: FeatureRunResult['spec'], datasetId: string, at: number): void {
    const kept: LastFeatures = {spec, datasetId, at};
    this.last = kept;
    this.lab.choices.lastFeatures = kept;
    this.lab.changed();
  }

  /** A set of cached features was deleted: if it was the one step 3 trains on, step 3 waits for step 2 again. */
  forget(spec: Omit<FeatureSpec, 'channels'>): boolean {
    const last = this.last?.spec;
    const same = last && (['weightsId', 'layer', 'inputSize', 'resize', 'preprocessing'] as const).every((k) => last[k] === spec[k]);
    if (!same) return false;
    this.last = null;
    this.lab.choices.lastFeatures = null;
    this.lab.changed();
    return true;
  }

  async clear(): Promise<void> {
    this.cleared = await this.lab.client.features.clear();
    this.forgetAll();
  }

  /** Every cached feature is gone (cleared here, or with the browser's storage). */
  forgetAll(): void {
    this.last = null;
    this.lab.choices.lastFeatures = null;
    this.lab.changed();
  }
}
