import {describeError} from '../shared/format.ts';
import type {Progress} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

export interface WalkthroughOutcome {
  ok: boolean;
  text: string;
}

/** One stage: in words ("computing features"), the step run it drives, and the step action that runs it. */
export type Stage = [label: string, run: StepRun<unknown>, action: () => Promise<boolean>];

/**
 * Several steps in a row through the same step actions a user drives by
 * hand (so every step's progress, curves and results show as it goes):
 * the demo, a replayed run. Stops at the first stage that fails or is
 * cancelled, and says which; `stop()` stops the running stage.
 */
export abstract class Walkthrough {
  /** The stage in progress, in words; null when not running. */
  stage: string | null = null;
  outcome: WalkthroughOutcome | null = null;
  #current: StepRun<unknown> | null = null;
  #stopped = false;

  /** `name` starts the sentences it says ("The demo stopped while …"). */
  constructor(
    private readonly lab: Lab,
    private readonly name: string,
  ) {}

  get running(): boolean {
    return this.stage !== null;
  }

  /** The running stage's progress (the same figures its step shows). */
  get progress(): Progress | null {
    return this.#current?.progress ?? null;
  }

  /**
   * Runs `stages` (made when it starts: each may read what the one before
   * did); `done` words the outcome once all have run. Resolves whether all ran.
   */
  protected async walk(stages: () => Stage[], done: () => WalkthroughOutcome): Promise<boolean> {
    this.#stopped = false;
    this.outcome = null;
    for (const [stage, run, action] of stages()) {
      this.stage = stage;
      this.#current = run;
      this.lab.changed();
      let completed = false;
      try {
        completed = (await action()) && !this.#stopped;
      } catch (err) {
        this.outcome = {ok: false, text: `${this.name} stopped while ${stage}: ${describeError(err)}`};
      }
      if (!completed) {
        const why = this.#stopped ? ' (you stopped it)' : run.shownError ? `: ${describeError(run.shownError)}` : '';
        this.outcome ??= {ok: false, text: `${this.name} stopped while ${stage}${why}.`};
        this.#end();
        return false;
      }
    }
    this.outcome = done();
    this.#end();
    return true;
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
