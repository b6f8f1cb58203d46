import {LitElement, css, html} from 'lit';
import {customElement, property, query, state} from 'lit/decorators.js';

/**
 * Where a user drops a zipped image dataset, or picks one with the
 * keyboard. The File is handed on as is: the main thread never reads the
 * archive (the worker does).
 *
 * @fires tl-dataset-file - A file was chosen (detail: {file: File}).
 * @csspart zone - The drop zone.
 */
@customElement('tl-dataset-drop')
export class TlDatasetDrop extends LitElement {
  static override styles = css`
    :host { display: block; }
    .zone { border: 2px dashed #9aa3ad; border-radius: 0.5rem; padding: 1.25rem; text-align: center; background: #fafbfc; transition: background 0.15s, border-color 0.15s; }
    .zone.over { border-color: #2f5fd0; background: #eef3ff; }
    :host([disabled]) .zone { opacity: 0.6; }
    p { margin: 0 0 0.75rem; }
    .hint { color: #4a4f57; font-size: 0.9em; margin: 0.75rem 0 0; }
    button { font: inherit; padding: 0.4rem 1rem; cursor: pointer; }
    input { display: none; }
    .problem { color: #a1170b; margin: 0.5rem 0 0; }
  `;

  /** While true, drops and picks are refused (an import is running). */
  @property({type: Boolean, reflect: true}) disabled = false;

  @state() private over = false;
  @state() private problem = '';
  @query('input') private input!: HTMLInputElement;

  override render() {
    return html`
      <div
        class="zone ${this.over ? 'over' : ''}"
        part="zone"
        role="group"
        aria-label="Dataset zip"
        @dragenter=${this.#onDragOver}
        @dragover=${this.#onDragOver}
        @dragleave=${() => (this.over = false)}
        @drop=${this.#onDrop}
      >
        <p>Drop a <strong>.zip</strong> of images here</p>
        <button type="button" ?disabled=${this.disabled} @click=${() => this.input.click()}>Choose a zip file…</button>
        <input type="file" accept=".zip,application/zip,application/x-zip-compressed" tabindex="-1" aria-hidden="true" @change=${this.#onPicked} />
        <p class="hint">
          Folders <code>train/</code>, <code>validation/</code>, <code>test/</code> with one folder per class inside, or just one
          folder per class (then split here). PNG, JPEG, WebP, GIF or BMP.
        </p>
        ${this.problem ? html`<p class="problem" role="alert">${this.problem}</p>` : ''}
      </div>
    `;
  }

  #onDragOver(event: DragEvent): void {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = this.disabled ? 'none' : 'copy';
    this.over = !this.disabled;
  }

  #onDrop(event: DragEvent): void {
    event.preventDefault();
    this.over = false;
    if (this.disabled) return;
    const files = [...(event.dataTransfer?.files ?? [])];
    const file = files.find((f) => /\.zip$/i.test(f.name)) ?? files[0];
    if (!file) {
      this.problem = 'Nothing to import: drop a .zip file (folders must be zipped first).';
      return;
    }
    this.#choose(file);
  }

  #onPicked(): void {
    const file = this.input.files?.[0];
    this.input.value = '';
    if (file) this.#choose(file);
  }

  #choose(file: File): void {
    this.problem = '';
    this.dispatchEvent(new CustomEvent('tl-dataset-file', {detail: {file}, bubbles: true, composed: true}));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-dataset-drop': TlDatasetDrop;
  }
  interface GlobalEventHandlersEventMap {
    'tl-dataset-file': CustomEvent<{file: File}>;
  }
}
