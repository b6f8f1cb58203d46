import {DEFAULT_HEAD_OPTIONS} from '../shared/defaults.ts';
import type {EpochLog, HeadInfo, HeadOptions, HeadResult} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** Step 3: the classifier head, trained on the cached features. */
export class HeadStep {
  options: HeadOptions;
  readonly run: StepRun<HeadResult>;
  /** The head the worker holds (trained now, or kept from an earlier visit). */
  info: HeadInfo | null = null;
  /** The settings the current head was trained with in this visit (a run manifest records them). */
  trainedWith: HeadOptions | null = null;
  /** The last epoch of the run in progress (or of the last run). */
  lastEpoch: EpochLog | null = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
    const seed = lab.config.seed;
    this.options = {...DEFAULT_HEAD_OPTIONS, ...(seed !== null ? {seed} : {})};
  }

  /** A head trained on the dataset (and split) of step 1. */
  get trained(): HeadInfo | null {
    const manifest = this.lab.dataset.manifest;
    return this.info && manifest && this.info.datasetId === manifest.id ? this.info : null;
  }

  /** Why "Train the head" waits, or ''. */
  blocked(): string {
    if (this.lab.dataset.blocked()) return this.lab.dataset.blocked();
    if (this.lab.features.run.running) return 'Waiting for the features to finish (step 2).';
    // Features are keyed by image content, not by split: after a resplit they are still there.
    return this.lab.features.ready ? '' : 'Waiting for features: compute them in step 2.';
  }

  async train(options: HeadOptions = this.options): Promise<boolean> {
    const features = this.lab.features.ready;
    if (!features) return false;
    this.options = options;
    const {spec} = features;
    const run = this.lab.curves.startHead((n) => `Run ${n} (${options.optimizer}, lr ${options.learningRate}, ${spec.inputSize}px)`);
    const history: EpochLog[] = [];
    this.lastEpoch = null;
    const ok = await this.run.run((signal) =>
      this.lab.client.head.train(
        {spec, options},
        {
          signal,
          onEvent: (event) => {
            if (event.kind !== 'epoch') return;
            history.push(event.log);
            this.lastEpoch = event.log;
            this.lab.curves.update(run.id, {history: [...history]});
            this.lab.announce('tl-epoch-end', {phase: 'head', log: event.log});
          },
        },
      ),
    );
    if (!ok) return false;
    const result = this.run.value!;
    this.trainedWith = options;
    this.lab.results.outdated('head');
    this.lab.curves.update(run.id, {history: result.history, bestEpoch: result.bestEpoch});
    this.lastEpoch = result.history.at(-1) ?? null;
    await this.refresh();
    this.lab.announce('tl-training-done', {phase: 'head', result});
    return true;
  }

  /** Asks the worker which head it holds (after a reload: the kept one). */
  async refresh(): Promise<void> {
    this.info = await this.lab.client.head.info().catch(() => this.info);
    this.lab.changed();
  }
}
