import type {EpochLog} from '../shared/protocol/index.ts';
import type {CurveRun} from '../view-model/curves.ts';
import type {TrainingPhase} from './lab-events.ts';

/** A run on the curves, and which training it was. */
export interface LabRun extends CurveRun {
  phase: TrainingPhase;
}

/**
 * Every training run of this visit, as the curves overlay them. A
 * fine-tuning run continues the head run it started from, with the phase
 * change marked.
 */
export class CurveRuns {
  list: LabRun[] = [];

  constructor(private readonly changed: () => void) {}

  /** The last head run (fine-tuning continues its curve). */
  lastHead(): LabRun | undefined {
    return this.list.filter((r) => r.phase === 'head').at(-1);
  }

  startHead(describe: (n: number) => string): LabRun {
    const n = this.list.filter((r) => r.phase === 'head').length + 1;
    return this.#add({id: `head-${n}`, phase: 'head', label: describe(n), history: []});
  }

  /** A fine-tuning run drawn after the last head run's epochs; `earlier` are epochs done before a resume. */
  startFineTune(label: string, earlier: EpochLog[] = []): {run: LabRun; show: (fine: readonly EpochLog[]) => void} {
    const head = this.lastHead();
    const before = head?.history ?? [];
    const run = this.#add({
      id: `fine-${this.list.length + 1}`,
      phase: 'fine-tune',
      label: head ? `${head.label.replace(/ \(.*/, '')} + ${label}` : label,
      history: [...before],
      phaseChanges: [before.length],
      ...(head ? {continues: {id: head.id, epochs: before.length}} : {}),
    });
    const show = (fine: readonly EpochLog[]) =>
      this.update(run.id, {history: [...before, ...fine.map((log) => ({...log, epoch: before.length + log.epoch}))]});
    show(earlier);
    return {run, show};
  }

  /** Runs drawn elsewhere (an opened project's) instead of these. */
  replace(runs: readonly LabRun[]): void {
    this.list = [...runs];
    this.changed();
  }

  update(id: string, changes: Partial<CurveRun>): void {
    this.list = this.list.map((r) => (r.id === id ? {...r, ...changes} : r));
    this.changed();
  }

  #add(run: LabRun): LabRun {
    this.list = [...this.list, run];
    this.changed();
    return run;
  }
}
