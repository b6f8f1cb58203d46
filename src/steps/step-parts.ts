import {html, nothing} from 'lit';
import {ifDefined} from 'lit/directives/if-defined.js';
import type {StepRun} from '../lab/step-run.ts';
import {describeError, formatWhen} from '../shared/format.ts';
import '../components/tl-progress/tl-progress.ts';

export interface ActionOptions {
  label: string;
  /** Why it cannot act yet ('' when it can): shown next to it, and read out with it. */
  blocked: string;
  /** A unique id within the step, for the reason's link. */
  id: string;
  onClick?: () => void;
  primary?: boolean;
  type?: 'button' | 'submit';
  name?: string;
}

/** A button that, when it cannot act, is disabled with its reason beside it. */
export function action({label, blocked, id, onClick, primary = false, type = 'button', name}: ActionOptions) {
  const reason = blocked ? `${id}-waits` : undefined;
  return html`<button
      type=${type}
      name=${ifDefined(name)}
      class=${primary ? 'primary' : ''}
      ?disabled=${Boolean(blocked)}
      aria-describedby=${ifDefined(reason)}
      @click=${onClick ?? nothing}
    >
      ${label}</button
    >${blocked ? html`<span class="waits" id=${reason!}>${blocked}</span>` : nothing}`;
}

/** A run's error, in the words of the step it belongs to (a cancel is not an error). */
export function runError(run: StepRun<unknown>, context = '') {
  const err = run.shownError;
  return err ? html`<p class="error" role="alert">${context}${describeError(err)}</p>` : nothing;
}

/** A run's progress with a Cancel button while it runs. */
export function runProgress(run: StepRun<unknown>, label: string) {
  return run.running
    ? html`<tl-progress label=${label} .progress=${run.progress} cancellable @tl-cancel=${() => run.abort()}></tl-progress>`
    : nothing;
}

/** "Restored: … (made today at 14:05)" for state kept from an earlier visit. */
export function restoredNote(what: string, at: number | null | undefined) {
  return html`<p class="restored" role="status">Restored from your last visit: ${what}${at ? ` (made ${formatWhen(at)})` : ''}.</p>`;
}

/** Why a dataset could not be imported: each problem with its fix when the images cannot train a classifier. */
export function datasetError(err: unknown, kept: boolean, what = 'this zip') {
  const problems = (err as {details?: {problems?: {message: string; fix: string}[]}}).details?.problems;
  return html`<div class="error" role="alert">
    ${problems
      ? html`<p>${(err as Error).name}: ${what} cannot train a classifier yet.</p>
          <ul>${problems.map((p) => html`<li>${p.message} ${p.fix}</li>`)}</ul>`
      : html`<p>${describeError(err)}</p>`}
    ${kept ? html`<p class="hint">The dataset you had before is still loaded.</p>` : nothing}
  </div>`;
}
