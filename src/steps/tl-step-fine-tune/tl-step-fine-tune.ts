import {html, nothing} from 'lit';
import {customElement, state} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {describeError} from '../../shared/format.ts';
import type {FineTuneOptions} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action, restoredNote, runError, runProgress} from '../step-parts.ts';
import '../../components/tl-augment-preview/tl-augment-preview.ts';

const PREVIEW_SIZE = 150;

/**
 * Step 4: block5 and the head trained together on augmented images, with
 * SGD; a checkpoint after every epoch, so a reload or a cancel resumes.
 *
 * @summary Fine-tune block5 with the head, on augmented images.
 */
@customElement('tl-step-fine-tune')
export class TlStepFineTune extends StepElement {
  protected readonly number = '4';
  protected readonly heading = 'Fine-tune';
  @state() private previewPixels: Uint8Array | null = null;
  @state() private previewError: unknown = null;
  #previewSeed = 1;

  protected why() {
    return 'Now block5, the last convolutional block, learns too, together with the head, from augmented images (rotated, shifted, sheared, zoomed, flipped) so it cannot memorise them. Blocks 1–4 stay frozen: their general features (edges, textures) transfer as they are. A small learning rate keeps block5 close to what it knew.';
  }

  protected renderControls(lab: Lab) {
    const {fineTune} = lab;
    const running = fineTune.run.running;
    const off = running || this.locked;
    const o = fineTune.options;
    const a = o.augment;
    const blocked = fineTune.blocked();
    const checkpoint = fineTune.current;
    const number = (name: string, label: string, value: number, step = 'any', min = '0') =>
      html`<label>${label}<input name=${name} type="number" step=${step} min=${min} .value=${String(value)} ?disabled=${off} /></label>`;
    return html`
      <form @submit=${(e: SubmitEvent) => this.#onSubmit(e, lab)} aria-label="Fine-tuning settings">
        ${this.showSettings
          ? html`
              ${number('learningRate', 'Learning rate', o.learningRate)} ${number('momentum', 'Momentum', o.momentum)}
              ${number('epochs', 'Epochs', o.epochs, '1', '1')} ${number('batchSize', 'Batch size', o.batchSize, '1', '1')}
              ${number('seed', 'Seed', o.seed, '1')} ${number('rotationRange', 'Rotation (°)', a.rotationRange)}
              ${number('widthShiftRange', 'Width shift', a.widthShiftRange)} ${number('heightShiftRange', 'Height shift', a.heightShiftRange)}
              ${number('shearRange', 'Shear (°)', a.shearRange)} ${number('zoomRange', 'Zoom', a.zoomRange)}
              <label class="check"><input name="horizontalFlip" type="checkbox" .checked=${a.horizontalFlip} ?disabled=${off} />Horizontal flip</label>
            `
          : html`<p class="hint">SGD, learning rate ${o.learningRate}, momentum ${o.momentum}, ${o.epochs} epochs, batch ${o.batchSize}.</p>`}
        <div class="actions">
          ${running
            ? html`<button type="button" @click=${() => fineTune.run.abort()}>Cancel</button>`
            : html`${action({label: 'Fine-tune', blocked, id: 'fine-tune', type: 'submit', primary: true})}
              ${checkpoint && !blocked
                ? html`<button type="submit" name="resume" value="1">Resume after epoch ${checkpoint.epoch}</button>`
                : nothing}`}
        </div>
      </form>
      ${this.showSettings
        ? html`<p class="hint">
            A resumed run keeps its seed, learning rate and augmentation; only the number of epochs and the batch size (smaller after
            running out of memory) change. Keras reads the shear range in degrees: the 2016 tutorial's 0.2 meant radians (about 11.5°).
          </p>`
        : nothing}
    `;
  }

  protected renderOutput(lab: Lab) {
    const {fineTune} = lab;
    const backend = lab.runtime.report?.phases.training.backend;
    const checkpoint = fineTune.current;
    return html`
      ${runProgress(fineTune.run, 'Fine-tuning')}
      ${fineTune.run.running ? html`<p class="hint">Runs on ${backend ?? 'the training backend'}; a checkpoint is saved after every epoch.</p>` : nothing}
      ${runError(fineTune.run, 'Fine-tuning stopped (the last checkpoint is kept): ')}
      ${checkpoint && !fineTune.run.running
        ? fineTune.run.status === 'done'
          ? html`<p class="ok" role="status">Fine-tuned: ${checkpoint.epoch} epochs, validation accuracy ${(checkpoint.history.at(-1)!.valAccuracy * 100).toFixed(1)} %; evaluate it in step 5.</p>`
          : restoredNote(`a fine-tuning checkpoint after epoch ${checkpoint.epoch} of ${checkpoint.epochs}`, checkpoint.savedAt)
        : nothing}
      ${lab.dataset.manifest
        ? html`<tl-augment-preview .pixels=${this.previewPixels} size=${PREVIEW_SIZE} @tl-reroll=${() => this.#preview(lab)}></tl-augment-preview>
            ${this.previewError ? html`<p class="error" role="alert">The preview failed: ${describeError(this.previewError)}</p>` : nothing}`
        : nothing}
    `;
  }

  #readForm(form: HTMLFormElement, lab: Lab): FineTuneOptions {
    if (!this.showSettings || this.locked) return lab.fineTune.options;
    const data = new FormData(form);
    const n = (name: string) => Number(data.get(name));
    return {
      learningRate: n('learningRate'),
      momentum: n('momentum'),
      epochs: n('epochs'),
      batchSize: n('batchSize'),
      seed: n('seed'),
      augment: {
        rotationRange: n('rotationRange'),
        widthShiftRange: n('widthShiftRange'),
        heightShiftRange: n('heightShiftRange'),
        shearRange: n('shearRange'),
        zoomRange: n('zoomRange'),
        horizontalFlip: data.get('horizontalFlip') !== null,
      },
    };
  }

  #onSubmit(event: SubmitEvent, lab: Lab): void {
    event.preventDefault();
    const resume = (event.submitter as HTMLButtonElement | null)?.name === 'resume';
    void lab.fineTune.start(this.#readForm(event.target as HTMLFormElement, lab), resume);
  }

  /** Eight augmented versions of the first training image, drawn with the settings in the form. */
  async #preview(lab: Lab): Promise<void> {
    const image = lab.dataset.manifest?.images.findIndex((i) => i.split === 'train') ?? -1;
    if (image < 0) return;
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[aria-label="Fine-tuning settings"]');
    const {augment} = form ? this.#readForm(form, lab) : lab.fineTune.options;
    try {
      this.previewError = null;
      this.previewPixels = await lab.client.fineTune.preview({
        image,
        count: 8,
        seed: this.#previewSeed++,
        augment,
        size: PREVIEW_SIZE,
        resize: lab.features.options.resize,
      });
    } catch (err) {
      this.previewPixels = null;
      this.previewError = err;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-fine-tune': TlStepFineTune;
  }
}
