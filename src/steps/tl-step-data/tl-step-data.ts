import {css, html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import type {DatasetManifest} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {datasetError, restoredNote, runProgress} from '../step-parts.ts';
import '../../components/tl-dataset-drop/tl-dataset-drop.ts';
import '../../components/tl-dataset-summary/tl-dataset-summary.ts';
import '../../components/tl-gallery/tl-gallery.ts';

/**
 * Step 1: a zip of images, one folder per class (in train/, validation/,
 * test/ or not), imported in the worker, checked, split and kept.
 *
 * @summary Import a zipped image dataset.
 */
@customElement('tl-step-data')
export class TlStepData extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      form.split { margin-top: calc(var(--_space) * 0.75); }
      form.split input { width: 5.5rem; }
      tl-progress, tl-dataset-summary, tl-gallery { margin-top: calc(var(--_space) * 0.75); }
      tl-dataset-summary:first-child { margin-top: 0; }
    `,
  ];
  protected readonly number = '1';
  protected readonly heading = 'Data';

  protected why() {
    return 'A few hundred images per class are enough when the features come from a network trained on millions. Images stay on this computer: the zip is read inside the worker.';
  }

  protected renderControls(lab: Lab) {
    const {manifest, run} = lab.dataset;
    return html`
      <tl-dataset-drop ?disabled=${run.running || this.locked} @tl-dataset-file=${(e: CustomEvent<{file: File}>) => void lab.dataset.importFile(e.detail.file)}></tl-dataset-drop>
      ${runProgress(run, 'Importing')}
      ${this.showSettings && manifest?.layout === 'classes' && manifest.split ? this.#splitForm(lab, manifest.split) : nothing}
    `;
  }

  protected renderOutput(lab: Lab) {
    const {manifest, restored, run, error} = lab.dataset;
    const failure = run.shownError ?? error;
    return html`
      ${failure ? datasetError(failure, manifest !== null) : nothing}
      ${manifest
        ? html`
            ${restored ? restoredNote(`the dataset ${manifest.name}`, manifest.savedAt) : nothing}
            <tl-dataset-summary .manifest=${manifest}></tl-dataset-summary>
            <tl-gallery .images=${manifest.images} .classes=${manifest.classes}></tl-gallery>
          `
        : run.running || failure
          ? nothing
          : html`<p class="hint">No dataset yet: drop a zip, or run the offline demo.</p>`}
    `;
  }

  #splitForm(lab: Lab, split: NonNullable<DatasetManifest['split']>) {
    const sum = split.fractions.train + split.fractions.validation + split.fractions.test;
    const pct = (f: number) => Math.round((f / sum) * 100);
    const locked = this.locked || lab.dataset.run.running;
    const field = (name: string, label: string, value: number, max = '100') =>
      html`<label>${label}<input name=${name} type="number" min="0" max=${max} step="1" .value=${String(value)} ?disabled=${locked} /></label>`;
    return html`<form class="split" @submit=${(e: SubmitEvent) => this.#onResplit(e, lab)} aria-label="Split">
      ${field('train', 'Train %', pct(split.fractions.train))} ${field('validation', 'Validation %', pct(split.fractions.validation))}
      ${field('test', 'Test %', pct(split.fractions.test))}
      <label>Seed<input name="seed" type="number" step="1" .value=${String(split.seed)} ?disabled=${locked} /></label>
      <button type="submit" ?disabled=${locked}>Split again</button>
    </form>`;
  }

  #onResplit(event: SubmitEvent, lab: Lab): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const number = (name: string) => Number(form.get(name));
    void lab.dataset.resplit({
      seed: number('seed'),
      fractions: {train: number('train') / 100, validation: number('validation') / 100, test: number('test') / 100},
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-data': TlStepData;
  }
}
