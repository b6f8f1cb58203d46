import {LitElement, css, html, nothing} from 'lit';
import {customElement, property} from 'lit/decorators.js';
import {ifDefined} from 'lit/directives/if-defined.js';
import type {EpochLog, HeadOptions, OptimizerName} from '../../shared/protocol/index.ts';
import {controls, theme} from '../../styles/theme.ts';

const OPTIMIZERS: Record<OptimizerName, string> = {
  rmsprop: 'RMSprop (the tutorial’s)',
  adam: 'Adam',
  sgd: 'SGD, momentum 0.9',
};

/**
 * The head's hyper-parameters, Train and Cancel, and where a run is.
 *
 * @fires tl-train - Run with these options (detail: {options: HeadOptions}).
 * @fires tl-cancel - Stop the run in progress.
 * @csspart status - Where the run is: epoch, loss and accuracy.
 */
@customElement('tl-head-panel')
export class TlHeadPanel extends LitElement {
  static override styles = [
    theme,
    controls,
    css`
      :host { display: block; }
      .status { margin: 0.5rem 0 0; font-variant-numeric: tabular-nums; }
      progress { width: 100%; accent-color: var(--_accent); }
    `,
  ];

  @property({attribute: false}) options!: HeadOptions;
  @property({type: Boolean}) running = false;
  /** Why Train cannot run yet (e.g. features missing): shown next to the disabled button. */
  @property() blocked = '';
  @property({attribute: false}) lastEpoch: EpochLog | null = null;
  /** The settings are shown but cannot be changed. */
  @property({type: Boolean}) locked = false;
  /** Hide the settings (their values as given are used). */
  @property({type: Boolean, attribute: 'no-settings'}) noSettings = false;

  override render() {
    const o = this.options;
    const off = this.running || this.locked;
    const epoch = this.lastEpoch;
    return html`
      <form @submit=${this.#onSubmit} aria-label="Head training settings">
        ${this.noSettings
          ? html`<p class="hint">${OPTIMIZERS[o.optimizer]}, learning rate ${o.learningRate}, ${o.epochs} epochs, batch ${o.batchSize}.</p>`
          : html`
              <label>Optimizer
                <select name="optimizer" ?disabled=${off}>
                  ${Object.entries(OPTIMIZERS).map(([value, label]) => html`<option value=${value} ?selected=${o.optimizer === value}>${label}</option>`)}
                </select>
              </label>
              <label>Learning rate<input name="learningRate" type="number" step="any" min="0" .value=${String(o.learningRate)} ?disabled=${off} /></label>
              <label>Epochs<input name="epochs" type="number" min="1" step="1" .value=${String(o.epochs)} ?disabled=${off} /></label>
              <label>Batch size<input name="batchSize" type="number" min="1" step="1" .value=${String(o.batchSize)} ?disabled=${off} /></label>
              <label>Seed<input name="seed" type="number" step="1" .value=${String(o.seed)} ?disabled=${off} /></label>
              <label class="check"><input name="early" type="checkbox" .checked=${o.earlyStoppingPatience !== null} ?disabled=${off} />Stop early</label>
              <label>Patience (epochs)<input name="patience" type="number" min="1" step="1" .value=${String(o.earlyStoppingPatience ?? 5)} ?disabled=${off} /></label>
            `}
        <div class="actions">
          ${this.running
            ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('tl-cancel', {bubbles: true, composed: true}))}>Cancel</button>`
            : html`<button type="submit" class="primary" ?disabled=${Boolean(this.blocked)} aria-describedby=${ifDefined(this.blocked ? 'train-waits' : undefined)}>
                  Train the head</button
                >${this.blocked ? html`<span class="waits" id="train-waits">${this.blocked}</span>` : nothing}`}
        </div>
      </form>
      ${this.running || epoch
        ? html`<progress aria-label="Epochs" max=${o.epochs} value=${epoch?.epoch ?? 0}></progress>
            <p class="status" part="status" role="status">
              ${this.running ? 'Training' : 'Trained'}: epoch ${epoch?.epoch ?? 0} of ${o.epochs}${epoch
                ? ` · loss ${epoch.loss.toFixed(3)}, accuracy ${(epoch.accuracy * 100).toFixed(1)}% · validation loss ${epoch.valLoss.toFixed(3)}, accuracy ${(epoch.valAccuracy * 100).toFixed(1)}% · ${formatEpochTime(epoch.seconds)} an epoch`
                : ''}
            </p>`
        : nothing}
    `;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.noSettings || this.locked) {
      this.#send(this.options);
      return;
    }
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => Number(form.get(name));
    this.#send({
      optimizer: form.get('optimizer') as OptimizerName,
      learningRate: number('learningRate'),
      epochs: number('epochs'),
      batchSize: number('batchSize'),
      seed: number('seed'),
      earlyStoppingPatience: form.get('early') ? number('patience') : null,
    });
  }

  #send(options: HeadOptions): void {
    this.dispatchEvent(new CustomEvent('tl-train', {detail: {options}, bubbles: true, composed: true}));
  }
}

/** Head epochs on cached features often take milliseconds: "0.0 s" would say nothing. */
function formatEpochTime(seconds: number): string {
  return seconds < 1 ? `${Math.max(1, Math.round(seconds * 1000))} ms` : `${seconds.toFixed(1)} s`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-head-panel': TlHeadPanel;
  }
  interface GlobalEventHandlersEventMap {
    'tl-train': CustomEvent<{options: HeadOptions}>;
  }
}
