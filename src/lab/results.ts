import type {EvaluationResult} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

export type EvaluatedModel = EvaluationResult['model'];

/** Step 5: the head, or the fine-tuned model, scored on the test split. */
export class ResultsStep {
  readonly run: StepRun<EvaluationResult>;
  /** Which model the last evaluation was of. */
  model: EvaluatedModel | null = null;
  /** The last scores of each model (a project keeps both). */
  byModel: Partial<Record<EvaluatedModel, EvaluationResult>> = {};

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
  }

  /** The last scores, if they are about the dataset (and split) of step 1. */
  get result(): EvaluationResult | null {
    const result = this.run.value;
    return result && result.datasetId === this.lab.dataset.manifest?.id ? result : null;
  }

  /** Why evaluating this model waits, or ''. */
  blocked(model: EvaluatedModel): string {
    const manifest = this.lab.dataset.manifest;
    if (!manifest) return this.lab.dataset.blocked();
    if (manifest.counts.test.reduce((a, b) => a + b, 0) === 0) {
      return 'This dataset has no test images: add a test/ folder, or give the test split a share in step 1.';
    }
    if (model === 'head') {
      if (this.lab.head.run.running) return 'Waiting for the head to finish training (step 3).';
      return this.lab.head.trained ? '' : 'Train the head first (step 3).';
    }
    if (this.lab.fineTune.run.running) return 'Waiting for fine-tuning to finish (step 4).';
    if (!this.lab.fineTune.current) return 'Fine-tune first (step 4).';
    return this.lab.weights.blocked();
  }

  async evaluate(model: EvaluatedModel): Promise<boolean> {
    this.model = model;
    const {evaluation} = this.lab.client;
    const ok = await this.run.run((signal, onProgress) =>
      (model === 'head' ? evaluation.head : evaluation.fineTuned)({split: 'test'}, {signal, onEvent: onProgress}),
    );
    if (ok) {
      this.byModel = {...this.byModel, [model]: this.run.value!};
      this.lab.announce('tl-evaluated', {result: this.run.value!});
    }
    return ok;
  }

  /** A model was trained again: its last scores are no longer its own. */
  outdated(model: EvaluatedModel): void {
    const {[model]: _gone, ...rest} = this.byModel;
    this.byModel = rest;
  }

  /** Scores kept elsewhere (an opened project): each model's, the last one shown. */
  restore(results: readonly EvaluationResult[]): void {
    this.byModel = Object.fromEntries(results.map((r) => [r.model, r]));
    const last = results.at(-1);
    if (last) {
      this.model = last.model;
      this.run.restore(last);
    }
  }
}
