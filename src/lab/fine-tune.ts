import {DEFAULT_FINE_TUNE} from '../shared/defaults.ts';
import type {CheckpointInfo, EpochLog, FineTuneOptions, FineTuneResult} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** Step 4: block5 and the head trained together on augmented images, checkpointed every epoch. */
export class FineTuneStep {
  options: FineTuneOptions;
  readonly run: StepRun<FineTuneResult>;
  /** The last checkpoint (this visit's, or kept from an earlier one). */
  checkpoint: CheckpointInfo | null = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
    const seed = lab.config.seed;
    this.options = {...DEFAULT_FINE_TUNE, ...(seed !== null ? {seed} : {})};
  }

  /** The last checkpoint, if it belongs to the dataset (and split) of step 1. */
  get current(): CheckpointInfo | null {
    return this.checkpoint && this.checkpoint.datasetId === this.lab.dataset.manifest?.id ? this.checkpoint : null;
  }

  /** Why "Fine-tune" waits, or ''. */
  blocked(): string {
    const waiting = this.lab.dataset.blocked() || this.lab.weights.blocked();
    if (waiting) return waiting;
    if (this.lab.head.run.running) return 'Waiting for the head to finish training (step 3).';
    if (!this.lab.head.trained) return 'Train the head first (step 3): random layers on top would send large random gradients into block5 and wreck what it learnt.';
    return '';
  }

  /** A new run, or `resume` from the last checkpoint (which keeps its settings but epochs and batch size). */
  async start(options: FineTuneOptions = this.options, resume = false): Promise<boolean> {
    // A resume sends only what may change; the worker keeps the rest from the checkpoint.
    this.options = resume ? {...this.options, epochs: options.epochs, batchSize: options.batchSize} : options;
    const resumed = resume ? this.current : null;
    const earlier: EpochLog[] = [...(resumed?.history ?? [])];
    const {show} = this.lab.curves.startFineTune(`fine-tune (SGD, lr ${this.options.learningRate})`, earlier);
    const fine = [...earlier];
    try {
      const ok = await this.run.run((signal, onProgress) =>
        this.lab.client.fineTune.run(
          // The run this page shows: another tab's newer run must not be the one resumed.
          {...this.options, resume, ...(resumed ? {runId: resumed.runId} : {})},
          {
            signal,
            onEvent: (event) => {
              if (event.kind !== 'epoch') return onProgress(event);
              fine.push(event.log);
              show(fine);
              this.lab.announce('tl-epoch-end', {phase: 'fine-tune', log: event.log});
            },
          },
        ),
      );
      if (ok) {
        this.lab.results.outdated('fine-tuned');
        show(this.run.value!.history);
        this.lab.announce('tl-training-done', {phase: 'fine-tune', result: this.run.value!});
      }
      return ok;
    } finally {
      // A failed or cancelled run leaves its checkpoint to resume from.
      await this.refresh();
    }
  }

  /** The last checkpoint; its settings fill the form, so "Resume" goes on with what the run started with. */
  async refresh(): Promise<void> {
    this.checkpoint = await this.lab.client.fineTune.checkpoint().catch(() => null);
    if (this.checkpoint) this.options = {...this.checkpoint.options};
    this.lab.changed();
  }
}
