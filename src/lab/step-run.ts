import {ErrorName, hasErrorName} from '../shared/errors.ts';
import type {Progress} from '../shared/protocol/index.ts';

export type RunStatus = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/**
 * One step's long job as the page sees it: its status, its last value or
 * error, its progress while it runs, and a way to stop it. Like @lit/task's
 * Task, without a host element, so the steps' models (and the demo) drive
 * it and any number of elements show it.
 */
export class StepRun<R> {
  status: RunStatus = 'idle';
  value: R | undefined = undefined;
  error: unknown = null;
  progress: Progress | null = null;
  #controller: AbortController | null = null;

  /** `failed` hears every error a run ends with (not a cancel): the lab reacts to those that concern every step. */
  constructor(
    private readonly changed: () => void,
    private readonly failed: (error: unknown) => void = () => {},
  ) {}

  get running(): boolean {
    return this.status === 'running';
  }

  /** The error to show: none while running, none for a cancel (the user asked for it). */
  get shownError(): unknown {
    return this.status === 'failed' ? this.error : null;
  }

  /**
   * Runs `work`; resolves whether it completed (never rejects: the error is
   * kept in `error`). A run started while another runs aborts the older one.
   */
  async run(work: (signal: AbortSignal, onProgress: (progress: Progress) => void) => Promise<R>): Promise<boolean> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'running';
    this.error = null;
    this.progress = null;
    this.changed();
    try {
      const value = await work(controller.signal, (progress) => {
        if (this.#controller !== controller) return;
        this.progress = progress;
        this.changed();
      });
      if (this.#controller !== controller) return false;
      this.value = value;
      this.status = 'done';
      return true;
    } catch (err) {
      if (this.#controller !== controller) return false;
      this.error = err;
      this.status = hasErrorName(err, ErrorName.Cancelled) || controller.signal.aborted ? 'cancelled' : 'failed';
      if (this.status === 'failed') this.failed(err);
      return false;
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.changed();
      }
    }
  }

  /** Shows a value made elsewhere (an opened project's) as this run's result. */
  restore(value: R): void {
    this.#controller?.abort();
    this.#controller = null;
    this.value = value;
    this.status = 'done';
  }

  /** Back to idle with no value: what the run made is gone (its kept copy was deleted). */
  clear(): void {
    this.abort();
    this.#controller = null;
    this.status = 'idle';
    this.value = undefined;
    this.error = null;
    this.progress = null;
    this.changed();
  }

  /** Asks the running job to stop at its next batch boundary. */
  abort(): void {
    this.#controller?.abort();
  }
}
