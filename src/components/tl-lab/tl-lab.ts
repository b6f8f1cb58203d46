import {ContextProvider} from '@lit/context';
import {LitElement, css, html} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {LabConfigMixin} from '../../lab/lab-config-mixin.ts';
import {labContext} from '../../lab/lab-context.ts';
import {LabOwner} from '../../lab/lab-owner.ts';
import '../tl-storage-notice/tl-storage-notice.ts';

/**
 * One lab shared by the step elements inside it, wherever they sit in the
 * page (a course page puts "data" in one paragraph and "head" in another).
 * Configured by the lab attributes; announces the milestones as events.
 *
 * @summary The shared state of the steps inside it.
 * @slot - Step elements (and anything else).
 * @fires tl-weights-loaded - Weights were loaded (detail: {info}).
 * @fires tl-dataset-loaded - A dataset was imported or restored (detail: {manifest, restored}).
 * @fires tl-features-ready - The dataset's features are cached (detail: {spec, datasetId, fromCache, computed, restored}).
 * @fires tl-epoch-end - An epoch of the head or of fine-tuning ended (detail: {phase, log}).
 * @fires tl-training-done - The head or fine-tuning finished (detail: {phase, result}).
 * @fires tl-evaluated - A model was scored on the test split (detail: {result}).
 */
@customElement('tl-lab')
export class TlLab extends LabConfigMixin(LitElement) {
  static override styles = css`
    :host { display: block; }
  `;

  readonly #provider = new ContextProvider(this, {context: labContext});
  readonly #changed = () => this.requestUpdate();
  readonly #owner = new LabOwner(this, (lab) => {
    this.#provider.value?.removeEventListener('change', this.#changed);
    lab?.addEventListener('change', this.#changed);
    this.#provider.setValue(lab);
  });

  constructor() {
    super();
    this.addController(this.#owner);
  }

  /** The lab the elements inside share. */
  get lab(): Lab | undefined {
    return this.#owner.lab;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Before the children connect: their context requests find the lab at once.
    this.#owner.ensure();
  }

  override render() {
    return html`<tl-storage-notice .reason=${this.lab?.notKept ?? null}></tl-storage-notice><slot></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-lab': TlLab;
  }
}
