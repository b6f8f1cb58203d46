import {css, html, nothing} from 'lit';
import {customElement, state} from 'lit/decorators.js';
import {downloadBlob} from '../../components/download.ts';
import type {Lab} from '../../lab/lab.ts';
import type {ParityCheck} from '../../lab/model-use.ts';
import {formatBytes, formatWhen} from '../../shared/format.ts';
import type {LoadedExportInfo, NamedFile, PredictImagesResult} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action, runError, runProgress} from '../step-parts.ts';

/** Rows shown of a prediction table; the CSV has them all. */
const SHOWN_ROWS = 100;

/**
 * Using the trained model elsewhere: export it (the head on the conv base,
 * or the fine-tuned model) as one zip that plain TensorFlow.js and Keras
 * open; open an exported zip, check its predictions against the app's on
 * the test split, and classify new images (files, a folder, or zips) with
 * top-k classes and a CSV.
 *
 * @summary Export the model; open an export and predict on new images.
 */
@customElement('tl-step-export')
export class TlStepExport extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      .drop { border: 2px dashed var(--_border); border-radius: var(--_radius); padding: calc(var(--_space) * 0.75); margin-top: calc(var(--_space) * 0.75); }
      .drop.over { border-color: var(--_accent); }
      .drop p { margin: 0 0 0.5rem; color: var(--_muted); font-size: 0.9em; }
      dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2rem 0.75rem; margin: 0.5rem 0 0; font-size: 0.9em; }
      dt { color: var(--_muted); }
      dd { margin: 0; overflow-wrap: anywhere; }
      .table-scroll { max-width: 100%; overflow-x: auto; margin-top: 0.5rem; }
      table { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }
      th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--_border); text-align: left; }
      td.path { max-width: 18rem; overflow-wrap: anywhere; }
    `,
  ];
  protected readonly number = '';
  protected readonly heading = 'Use the model';
  @state() private dropping = false;

  protected why() {
    return 'Export the trained classifier as one zip: a TensorFlow.js model that plain tf.loadLayersModel opens, a Keras .h5 file, and metadata.json with the classes and exactly how to prepare an image. Open an exported zip here to check it predicts what the app did, and to classify new images.';
  }

  protected renderControls(lab: Lab) {
    const use = lab.modelUse;
    const loaded = use.loaded;
    const busy = use.busy;
    return html`
      <div class="actions">
        ${action({label: 'Export the head', blocked: use.blockedExport('head'), id: 'export-head', onClick: () => void this.#export(lab, 'head')})}
        ${action({label: 'Export the fine-tuned model', blocked: use.blockedExport('fine-tuned'), id: 'export-fine-tuned', onClick: () => void this.#export(lab, 'fine-tuned')})}
      </div>
      <div class="actions">
        <label class="file ${busy ? 'disabled' : ''}">Open an exported model…
          <input type="file" accept=".zip,application/zip" ?disabled=${busy} @change=${(e: Event) => this.#openFile(e, lab)} />
        </label>
      </div>
      ${loaded
        ? html`<div class="actions">
              ${action({label: 'Check it on the test split', blocked: use.blockedCheck(), id: 'check', onClick: () => void use.checkParity()})}
            </div>
            <div
              class="drop ${this.dropping ? 'over' : ''}"
              @dragover=${(e: DragEvent) => this.#dragOver(e)}
              @dragleave=${() => (this.dropping = false)}
              @drop=${(e: DragEvent) => this.#drop(e, lab)}
            >
              <p>New images to classify: drop image files or zips here, or choose them.</p>
              <div class="actions">
                <label class="file ${busy ? 'disabled' : ''}">Images or zips…
                  <input type="file" multiple accept="image/*,.zip,application/zip" ?disabled=${busy} @change=${(e: Event) => this.#predictFiles(e, lab)} />
                </label>
                <label class="file ${busy ? 'disabled' : ''}">A folder…
                  <input type="file" webkitdirectory ?disabled=${busy} @change=${(e: Event) => this.#predictFiles(e, lab)} />
                </label>
              </div>
            </div>`
        : nothing}
    `;
  }

  protected renderOutput(lab: Lab) {
    const use = lab.modelUse;
    const made = use.exporting.status === 'done' ? use.exporting.value : undefined;
    return html`
      ${runProgress(use.exporting, 'Exporting')} ${runError(use.exporting, 'The model could not be exported: ')}
      ${made
        ? html`<p class="ok" role="status">
              Exported ${made.fileName} (${formatBytes(made.bytes.zip)}: TensorFlow.js ${formatBytes(made.bytes.tfjsWeights)}, Keras ${formatBytes(made.bytes.keras)}).
            </p>
            <div class="actions">
              <button type="button" @click=${() => downloadBlob(made.zip, made.fileName)}>Download it again</button>
              ${use.loaded?.fileName === made.fileName ? nothing : html`<button type="button" ?disabled=${use.busy} @click=${() => void use.openExported()}>Predict with it</button>`}
            </div>`
        : nothing}
      ${runProgress(use.opening, 'Opening the export')} ${runError(use.opening, 'The exported model could not be opened: ')}
      ${use.loaded ? this.#loadedSummary(use.loaded) : nothing}
      ${runProgress(use.checking, 'Predicting the test split')} ${runError(use.checking, 'The check could not run: ')}
      ${use.checking.status === 'done' && use.checking.value ? this.#parity(use.checking.value) : nothing}
      ${runProgress(use.predicting, 'Classifying')} ${runError(use.predicting, 'The images could not be classified: ')}
      ${use.predicting.status === 'done' && use.predicting.value ? this.#predictions(use.predicting.value) : nothing}
    `;
  }

  #loadedSummary(info: LoadedExportInfo) {
    const m = info.metadata;
    return html`<dl aria-label="The exported model">
      <dt>File</dt><dd>${info.fileName} (${formatBytes(info.bytes)}), exported ${formatWhen(Date.parse(m.exportedAt))} by Transfer Lab ${m.app.version}</dd>
      <dt>Model</dt><dd>${m.model === 'head' ? 'the head on the conv base' : 'the fine-tuned model'}, ${info.params.toLocaleString('en')} parameters, runs on ${info.backend}</dd>
      <dt>Classes</dt><dd>${m.classes.join(', ')}</dd>
      <dt>Input</dt><dd>${m.input.width}×${m.input.height} RGB: <code>${m.preprocessing.formula}</code></dd>
      <dt>Backbone</dt><dd>${m.backbone.label}</dd>
      <dt>Dataset</dt><dd>${m.dataset.name}</dd>
      ${m.evaluation
        ? html`<dt>Scores</dt><dd>${m.evaluation.split} split: accuracy ${(m.evaluation.accuracy * 100).toFixed(1)} %, loss ${m.evaluation.loss.toFixed(4)}</dd>`
        : nothing}
    </dl>`;
  }

  #parity(check: ParityCheck) {
    const {result} = check;
    const scores = `accuracy ${(result.accuracy * 100).toFixed(1)} %, loss ${result.loss.toFixed(4)} on ${result.predictions.length} test images`;
    if (check.against === 'predictions') {
      const {parity} = check;
      return parity.equal
        ? html`<p class="ok" role="status">
            The same predictions as the app: every one of ${parity.compared} test images gets the same class, probabilities within
            ${parity.maxProbabilityDifference.toExponential(1)} (${scores}).
          </p>`
        : html`<p class="error" role="alert">
            Not the same: ${parity.otherClass.length} of ${parity.compared} images get another class${parity.unmatched ? `, ${parity.unmatched} were scored by only one` : ''};
            largest probability difference ${parity.maxProbabilityDifference.toExponential(1)} (${scores}).
          </p>`;
    }
    if (check.against === 'metadata') {
      return html`<p class=${check.equal ? 'ok' : 'error'} role=${check.equal ? 'status' : 'alert'}>
        ${check.equal ? 'The same scores as when it was exported' : 'Not the scores it was exported with'}: ${scores}; recorded: accuracy
        ${(check.recorded.accuracy * 100).toFixed(1)} %, loss ${check.recorded.loss.toFixed(4)}.
      </p>`;
    }
    return html`<p role="status">
      Its scores: ${scores}. Evaluate the model it came from in step 5 (or export with its scores) to compare image by image.
    </p>`;
  }

  #predictions(result: PredictImagesResult) {
    const k = result.predictions[0]?.top.length ?? 0;
    const rows = result.predictions.slice(0, SHOWN_ROWS);
    return html`
      <p role="status">
        ${result.predictions.length} image(s) classified${result.skipped.length ? `; ${result.skipped.length} skipped` : ''}${result.ignored.count
          ? `; ${result.ignored.count} other file(s) passed over`
          : ''}.
        <button type="button" @click=${() => downloadBlob(new Blob([result.csv], {type: 'text/csv'}), 'predictions.csv')}>Download the CSV</button>
      </p>
      ${rows.length
        ? html`<div class="table-scroll">
            <table aria-label="Predictions on new images">
              <thead><tr><th scope="col">image</th>${Array.from({length: k}, (_, i) => html`<th scope="col">${i === 0 ? 'predicted' : `#${i + 1}`}</th>`)}</tr></thead>
              <tbody>
                ${rows.map(
                  (p) => html`<tr>
                    <td class="path">${p.path}</td>
                    ${p.top.map((c) => html`<td>${c.class} ${(c.probability * 100).toFixed(1)} %</td>`)}
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : nothing}
      ${result.predictions.length > SHOWN_ROWS ? html`<p class="hint">The first ${SHOWN_ROWS} are shown; the CSV has all ${result.predictions.length}.</p>` : nothing}
      ${result.skipped.map((s) => html`<p class="warning">${s.path}: ${s.message}</p>`)}
    `;
  }

  async #export(lab: Lab, model: 'head' | 'fine-tuned'): Promise<void> {
    if (await lab.modelUse.exportModel(model)) {
      const made = lab.modelUse.exporting.value!;
      downloadBlob(made.zip, made.fileName);
    }
  }

  #openFile(event: Event, lab: Lab): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void lab.modelUse.open(file);
  }

  #predictFiles(event: Event, lab: Lab): void {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])].map((file): NamedFile => ({file, path: file.webkitRelativePath || file.name}));
    input.value = '';
    if (files.length) void lab.modelUse.predict(files);
  }

  #dragOver(event: DragEvent): void {
    event.preventDefault();
    this.dropping = true;
  }

  #drop(event: DragEvent, lab: Lab): void {
    event.preventDefault();
    this.dropping = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length && !lab.modelUse.busy) void lab.modelUse.predict(files);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-export': TlStepExport;
  }
}
