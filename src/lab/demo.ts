import {DEMO} from '../shared/demo.ts';
import {describeError} from '../shared/format.ts';
import type {Progress} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

export interface DemoOutcome {
  ok: boolean;
  text: string;
}

/**
 * The whole workflow on the demo's files, through the same step actions a
 * user drives by hand (so every step's progress, curves and results show).
 * Stops at the first step that fails or is cancelled, and says which.
 */
export class DemoRun {
  /** The stage in progress, in words; null when the demo is not running. */
  stage: string | null = null;
  outcome: DemoOutcome | null = null;
  #current: StepRun<unknown> | null = null;
  #stopped = false;

  constructor(private readonly lab: Lab) {}

  get running(): boolean {
    return this.stage !== null;
  }

  /** The running stage's progress (the same figures its step shows). */
  get progress(): Progress | null {
    return this.#current?.progress ?? null;
  }

  /** Why the demo cannot start yet, or ''. */
  blocked(): string {
    return this.lab.runtime.ready ? '' : 'Waiting for the runtime to start.';
  }

  async run(): Promise<void> {
    const {lab} = this;
    this.#stopped = false;
    this.outcome = null;
    const folder = new URL(lab.config.demoUrl, document.baseURI);
    const stages: Array<[string, StepRun<unknown>, () => Promise<boolean>]> = [
      ['loading the Fashion-MNIST backbone', lab.weights.run, () => lab.weights.load({kind: 'url', url: new URL(DEMO.weightsPath, folder).href})],
      ['importing bags vs ankle boots', lab.dataset.run, () => lab.dataset.importUrl(new URL(DEMO.datasetPath, folder).href, {})],
      ['computing features', lab.features.run, () => lab.features.compute({...DEMO.features})],
      ['training the head', lab.head.run, () => lab.head.train({...DEMO.head})],
      ['fine-tuning block5', lab.fineTune.run, () => lab.fineTune.start({...DEMO.fineTune})],
      ['evaluating on the test split', lab.results.run, () => lab.results.evaluate('fine-tuned')],
    ];
    for (const [stage, run, action] of stages) {
      this.stage = stage;
      this.#current = run;
      lab.changed();
      let done = false;
      try {
        done = (await action()) && !this.#stopped;
      } catch (err) {
        this.outcome = {ok: false, text: `The demo stopped while ${stage}: ${describeError(err)}`};
      }
      if (!done) {
        const why = this.#stopped ? ' (you stopped it)' : run.shownError ? `: ${describeError(run.shownError)}` : '';
        this.outcome ??= {ok: false, text: `The demo stopped while ${stage}${why}.`};
        return this.#end();
      }
    }
    const result = lab.results.result;
    this.outcome = {
      ok: true,
      text: `Done: the fine-tuned model got ${result ? `${(result.accuracy * 100).toFixed(1)} %` : 'its score'} of the test images right (step 5).`,
    };
    this.#end();
  }

  stop(): void {
    this.#stopped = true;
    this.#current?.abort();
  }

  #end(): void {
    this.stage = null;
    this.#current = null;
    this.lab.changed();
  }
}
