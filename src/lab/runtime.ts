import type {BackendName, BackendOverrides, Phase, RuntimeReport, StorageReport} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** The backends each phase runs on (chosen in the worker, overridable), and what this context keeps. */
export class RuntimeStep {
  readonly run: StepRun<RuntimeReport>;
  overrides: BackendOverrides;
  /** The worker's storage: IndexedDB, or memory where this frame may not keep anything. */
  storage: StorageReport | null = null;

  constructor(private readonly lab: Lab) {
    this.run = lab.stepRun();
    this.overrides = lab.choices.backendOverrides;
  }

  get report(): RuntimeReport | null {
    return this.run.value ?? null;
  }

  get ready(): boolean {
    return this.report !== null;
  }

  /** Chooses the backends (again, with the user's overrides); the choice is remembered. */
  configure(overrides: BackendOverrides = this.overrides): Promise<boolean> {
    this.overrides = overrides;
    this.lab.choices.backendOverrides = overrides;
    return this.run.run(() => this.lab.client.runtime.configure(overrides));
  }

  /** One phase set to a backend, or back to automatic (null). */
  choose(phase: Phase, backend: BackendName | null): Promise<boolean> {
    const overrides = {...this.overrides};
    if (backend) overrides[phase] = backend;
    else delete overrides[phase];
    return this.configure(overrides);
  }

  async checkStorage(): Promise<void> {
    this.storage = await this.lab.client.runtime.storage().catch((err: Error) => ({persistent: false, reason: `${err.name}: ${err.message}`}));
    this.lab.changed();
  }
}
