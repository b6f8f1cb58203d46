import {html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import type {BackendChangeDetail} from '../../components/tl-backend-status/tl-backend-status.ts';
import {StepElement} from '../step-element.ts';
import {runError} from '../step-parts.ts';
import '../../components/tl-backend-status/tl-backend-status.ts';

/**
 * The backends the network runs on, per phase, with why each faster one
 * was skipped, and the user's override.
 *
 * @summary Which tfjs backend runs inference and training, and why.
 */
@customElement('tl-step-runtime')
export class TlStepRuntime extends StepElement {
  protected readonly number = '';
  protected readonly heading = 'Runtime';
  protected override readonly split = false;

  protected why() {
    return 'Running the network needs a fast backend; the best one differs between running it (inference) and training it.';
  }

  protected renderControls() {
    return nothing;
  }

  protected renderOutput(lab: Lab) {
    const {run, report, overrides} = lab.runtime;
    return html`
      ${run.running && !report ? html`<p role="status">Starting the worker and probing backends…</p>` : nothing}
      ${runError(run, 'The runtime could not start: ')}
      <tl-backend-status
        .report=${report}
        .overrides=${overrides}
        ?busy=${run.running || this.locked || this.controls !== 'all'}
        @tl-backend-change=${(e: CustomEvent<BackendChangeDetail>) => void lab.runtime.choose(e.detail.phase, e.detail.backend ?? null)}
      ></tl-backend-status>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-runtime': TlStepRuntime;
  }
}
