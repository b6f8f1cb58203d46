import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import type {EpochLog, HeadOptions, OptimizerName} from '../../shared/protocol.ts';

const OPTIMIZERS: Record<OptimizerName, string> = {
  rmsprop: 'RMSprop (the tutorial’s)',
  adam: 'Adam',
  sgd: 'SGD, momentum 0.9',
};

/**
 * The head's hyper-parameters, Run and Cancel, and where a run is.
 *
 * @fires tl-train - Run with these options (detail: {options: HeadOptions}).
 * @fires tl-cancel - Stop the run in progress.
 */
@customElement('tl-training-panel')
export class TlTrainingPanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: end; }
    label { display: flex; flex-direction: column; font-size: 0.9em; color: #4a4f57; }
    label.inline { flex-direction: row; align-items: center; gap: 0.35rem; }
    input, select { font: inherit; padding: 0.25rem 0.35rem; }
    input[type='number'] { width: 6.5rem; }
    button { font: inherit; padding: 0.35rem 0.9rem; cursor: pointer; }
    .status { margin: 0.5rem 0 0; font-variant-numeric: tabular-nums; }
    progress { width: 100%; }
  `;

  @property({attribute: false}) options!: HeadOptions;
  @property({type: Boolean}) running = false;
  /** Why Run is not possible yet (e.g. features missing); shown instead of running. */
  @property() blocked = '';
  @property({attribute: false}) lastEpoch: EpochLog | null = null;

  override render() {
    const o = this.options;
    const epoch = this.lastEpoch;
    return html`
      <form @submit=${this.#onSubmit} aria-label="Head training settings">
        <label>Optimizer
          <select name="optimizer" ?disabled=${this.running}>
            ${Object.entries(OPTIMIZERS).map(([value, label]) => html`<option value=${value} ?selected=${o.optimizer === value}>${label}</option>`)}
          </select>
        </label>
        <label>Learning rate<input name="learningRate" type="number" step="any" min="0" .value=${String(o.learningRate)} ?disabled=${this.running} /></label>
        <label>Epochs<input name="epochs" type="number" min="1" step="1" .value=${String(o.epochs)} ?disabled=${this.running} /></label>
        <label>Batch size<input name="batchSize" type="number" min="1" step="1" .value=${String(o.batchSize)} ?disabled=${this.running} /></label>
        <label>Seed<input name="seed" type="number" step="1" .value=${String(o.seed)} ?disabled=${this.running} /></label>
        <label class="inline"><input name="early" type="checkbox" .checked=${o.earlyStoppingPatience !== null} ?disabled=${this.running} />Stop early, patience</label>
        <label>Patience (epochs)<input name="patience" type="number" min="1" step="1" .value=${String(o.earlyStoppingPatience ?? 5)} ?disabled=${this.running} /></label>
        ${this.running
          ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tl-cancel', {bubbles: true, composed: true}))}>Cancel</button>`
          : html`<button type="submit" ?disabled=${Boolean(this.blocked)}>Train the head</button>`}
      </form>
      ${this.blocked && !this.running ? html`<p class="status">${this.blocked}</p>` : nothing}
      ${this.running || epoch
        ? html`<progress aria-label="Epochs" max=${o.epochs} value=${epoch?.epoch ?? 0}></progress>
            <p class="status" role="status">
              ${this.running ? 'Training' : 'Trained'}: epoch ${epoch?.epoch ?? 0} of ${o.epochs}${epoch
                ? ` · loss ${epoch.loss.toFixed(3)}, accuracy ${(epoch.accuracy * 100).toFixed(1)}% · validation loss ${epoch.valLoss.toFixed(3)}, accuracy ${(epoch.valAccuracy * 100).toFixed(1)}% · ${epoch.seconds.toFixed(1)} s/epoch`
                : ''}
            </p>`
        : nothing}
    `;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => Number(form.get(name));
    const options: HeadOptions = {
      optimizer: form.get('optimizer') as OptimizerName,
      learningRate: number('learningRate'),
      epochs: number('epochs'),
      batchSize: number('batchSize'),
      seed: number('seed'),
      earlyStoppingPatience: form.get('early') ? number('patience') : null,
    };
    this.dispatchEvent(new CustomEvent('tl-train', {detail: {options}, bubbles: true, composed: true}));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-training-panel': TlTrainingPanel;
  }
  interface GlobalEventHandlersEventMap {
    'tl-train': CustomEvent<{options: HeadOptions}>;
  }
}
