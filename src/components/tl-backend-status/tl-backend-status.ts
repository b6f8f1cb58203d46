import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {BACKENDS, PHASES, type BackendName, type BackendOverrides, type Phase, type RuntimeReport} from '../../shared/protocol/index.ts';

const PHASE_LABEL: Record<Phase, string> = {
  inference: 'Inference (features, evaluation)',
  training: 'Training (fine-tuning)',
};

/** Detail of `tl-backend-change`: the phase and the backend asked for, or undefined for automatic. */
export interface BackendChangeDetail {
  phase: Phase;
  backend: BackendName | undefined;
}

/**
 * Shows which tfjs backend runs each phase, why better ones were skipped,
 * and what the GPU adapter is; lets the user override the choice.
 *
 * @fires tl-backend-change - The user picked a backend for a phase (detail: BackendChangeDetail).
 * @csspart phase - One phase's row.
 * @csspart backend - The backend in use.
 */
@customElement('tl-backend-status')
export class TlBackendStatus extends LitElement {
  static override styles = css`
    :host { display: block; font: inherit; overflow-wrap: anywhere; }
    .phase { display: grid; grid-template-columns: minmax(12rem, 1fr) auto; gap: 0.25rem 1rem; padding: 0.5rem 0; border-top: 1px solid #e3e5e8; }
    .phase:first-of-type { border-top: none; }
    .name { font-weight: 600; }
    .backend { font-family: ui-monospace, monospace; font-weight: 700; background: #eef3ff; color: #1d3f8f; padding: 0.1rem 0.4rem; border-radius: 0.25rem; }
    ul { grid-column: 1 / -1; margin: 0; padding-left: 1.25rem; color: #4a4f57; font-size: 0.9em; }
    label { font-size: 0.9em; color: #4a4f57; }
    select { font: inherit; margin-left: 0.25rem; }
    .env { margin: 0.75rem 0 0; color: #4a4f57; font-size: 0.9em; }
  `;

  /** The worker's report; nothing renders until it is set. */
  @property({attribute: false}) report: RuntimeReport | null = null;

  /** The user's current overrides, reflected in the selects. */
  @property({attribute: false}) overrides: BackendOverrides = {};

  /** Disables the selects while the worker is switching. */
  @property({type: Boolean}) busy = false;

  override render() {
    const report = this.report;
    if (!report) return nothing;
    return html`
      ${PHASES.map((phase) => this.#renderPhase(phase, report))}
      <p class="env">
        WebGPU adapter:
        ${report.webgpu
          ? `${[report.webgpu.vendor, report.webgpu.architecture, report.webgpu.description].filter(Boolean).join(' ')}${report.webgpu.isFallbackAdapter ? ' (software fallback)' : ''}`
          : (report.webgpuUnavailable ?? 'none')}.
        WebGL: ${report.webgl ? `${report.webgl.renderer}${report.webgl.software ? ' (software)' : ''}` : 'none'}.
        wasm: ${report.wasmThreadsReason}.
      </p>
    `;
  }

  #renderPhase(phase: Phase, report: RuntimeReport) {
    const {backend, overridden, skipped} = report.phases[phase];
    const id = `override-${phase}`;
    return html`
      <div class="phase" part="phase">
        <span class="name">${PHASE_LABEL[phase]}: <span class="backend" part="backend">${backend}</span>${overridden ? ' (your choice)' : ''}</span>
        <label for=${id}>Backend
          <select id=${id} ?disabled=${this.busy} @change=${(e: Event) => this.#onChange(phase, e)}>
            <option value="" ?selected=${!this.overrides[phase]}>automatic</option>
            ${BACKENDS.map((b) => html`<option value=${b} ?selected=${this.overrides[phase] === b}>${b}</option>`)}
          </select>
        </label>
        ${skipped.length
          ? html`<ul aria-label="Why not a faster backend">${skipped.map((s) => html`<li>${s.backend}: ${s.reason}</li>`)}</ul>`
          : nothing}
      </div>
    `;
  }

  #onChange(phase: Phase, event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    const detail: BackendChangeDetail = {phase, backend: value ? (value as BackendName) : undefined};
    this.dispatchEvent(new CustomEvent('tl-backend-change', {detail, bubbles: true, composed: true}));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-backend-status': TlBackendStatus;
  }
  interface GlobalEventHandlersEventMap {
    'tl-backend-change': CustomEvent<BackendChangeDetail>;
  }
}
