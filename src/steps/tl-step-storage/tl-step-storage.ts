import {css, html, nothing} from 'lit';
import {customElement, state} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import type {StorageStep} from '../../lab/storage.ts';
import {describeError, formatBytes, formatWhen} from '../../shared/format.ts';
import type {StoredItem, StoredKind} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action} from '../step-parts.ts';

const KIND: Record<StoredKind, string> = {
  dataset: 'Dataset',
  features: 'Features',
  weights: 'Weights',
  head: 'Head',
  checkpoint: 'Checkpoint',
  webcam: 'Webcam frames',
};

/** What deleting an item in use takes from the steps, said before the user confirms. */
const IN_USE: Record<StoredKind, string> = {
  dataset: 'It is the loaded dataset: the steps will wait for a new zip.',
  features: 'Step 3 trains on them: it will wait until step 2 computes them again.',
  weights: 'They are the weights in use: they will be unloaded.',
  head: 'It is the trained head: fine-tuning and scoring it wait until it is trained again.',
  checkpoint: 'It is this dataset’s fine-tuning: the next run starts from epoch 1.',
  webcam: '',
};

/**
 * Whether the lab opens without a network, and what this browser keeps for
 * it: every dataset, feature set, weights, head, checkpoint and the
 * webcam's frames with the bytes each takes, each deletable (after a confirmation); the site's total;
 * and persistent storage, asked for after the first import or on a button.
 *
 * @summary Offline readiness, and the storage each item takes, with deletion.
 */
@customElement('tl-step-storage')
export class TlStepStorage extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      ul.items { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(var(--_space) * 0.5); }
      ul.items > li {
        display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; justify-content: space-between;
        padding: calc(var(--_space) * 0.5) calc(var(--_space) * 0.75); border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.6);
      }
      .what { flex: 1 1 16rem; min-width: 0; overflow-wrap: anywhere; }
      .figures { color: var(--_muted); font-size: 0.9em; }
      .in-use { color: var(--_success); font-size: 0.85em; font-weight: 600; }
      .confirm { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
      .confirm p { margin: 0; flex: 1 1 100%; }
      ul.missing { margin: 0.25rem 0 0; padding-left: 1.2rem; }
      p { margin: calc(var(--_space) * 0.5) 0 0; }
    `,
  ];
  protected readonly number = '';
  protected readonly heading = 'Offline and storage';

  /** The item whose deletion waits for a confirmation. */
  @state() private confirming: string | null = null;
  #listed: Lab | null = null;

  protected why() {
    return 'Everything runs in this browser. Once the app’s files are saved it opens without a network, and what the steps make stays here until you delete it: the list says how much room each item takes.';
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    // The list is read once this element shows a lab, then kept current by the lab's milestones.
    const lab = this.lab;
    if (lab && lab !== this.#listed) {
      this.#listed = lab;
      void lab.storage.refresh();
    }
  }

  protected renderControls(lab: Lab) {
    const {storage} = lab;
    return html`
      ${this.#offline(lab)}
      ${lab.notKept ? nothing : this.#persistence(storage)}
      ${this.#total(storage)}
      <div class="actions"><button type="button" @click=${() => void storage.refresh()}>Refresh</button></div>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {storage} = lab;
    const blocked = storage.blocked();
    return html`
      ${storage.error ? html`<p class="error" role="alert">The list could not be read: ${describeError(storage.error)}</p>` : nothing}
      ${storage.removeError ? html`<p class="error" role="alert">Nothing was deleted: ${describeError(storage.removeError)}</p>` : nothing}
      ${storage.notice ? html`<p class="ok" role="status">${storage.notice}</p>` : nothing}
      ${storage.listing?.persistent === false ? html`<p class="hint">These live in memory only, for this visit.</p>` : nothing}
      ${storage.listing
        ? storage.items.length
          ? html`<ul class="items" aria-label="Kept in this browser">${storage.items.map((item) => this.#item(lab, item, blocked))}</ul>`
          : html`<p class="hint">Nothing is kept in this browser yet.</p>`
        : storage.error
          ? nothing
          : html`<p class="hint" role="status">Reading what this browser keeps…</p>`}
    `;
  }

  #offline(lab: Lab) {
    const {offline, storage} = lab;
    const missing = storage.missing;
    const files = offline.files ? ` (${offline.files.count} files, ${formatBytes(offline.files.bytes)})` : '';
    const status =
      offline.state === 'ready'
        ? html`<p class="ok" role="status">Ready offline: the app, its worker, the wasm backends and the demo are saved in this browser${files}.</p>`
        : offline.state === 'installing'
          ? html`<p role="status">Saving the app for offline use…</p>`
          : html`<p class=${offline.state === 'failed' ? 'warning' : 'hint'}>Offline use is not available here: ${offline.reason}.</p>`;
    return html`
      ${status}
      ${offline.updateReady
        ? html`<p>A new version of the app is saved.</p>
            <div class="actions">
              ${action({label: 'Reload to update', blocked: lab.busy ? 'After the running step finishes: a reload would stop it.' : '', id: 'update', onClick: () => void offline.update()})}
            </div>`
        : nothing}
      ${offline.updatedElsewhere ? html`<p class="warning">The app was updated in another tab: reload this page when nothing runs here.</p>` : nothing}
      ${missing.length
        ? html`<p>Not saved yet:</p><ul class="missing">${missing.map((m) => html`<li>${m}</li>`)}</ul>`
        : offline.state === 'ready' && storage.listing
          ? html`<p class="ok">Everything the lab needs is saved in this browser.</p>`
          : nothing}
    `;
  }

  #persistence(storage: StorageStep) {
    if (storage.persisted === true) {
      return html`<p class="ok" role="status">Kept until you delete it: the browser granted persistent storage.</p>`;
    }
    if (storage.persistAnswer === 'unavailable' || storage.persisted === null) {
      return html`<p class="hint">This browser does not say whether it keeps this data for good.</p>`;
    }
    const declined = storage.persistAnswer === 'denied';
    return html`
      <p class=${declined ? 'warning' : 'hint'} role="status">
        ${declined
          ? 'The browser declined persistent storage for now (Chromium grants it to sites you use often, bookmark or install): it may clear this data when the disk runs low.'
          : 'The browser may clear this data when the disk runs low.'}
      </p>
      <div class="actions">
        <button type="button" @click=${() => void storage.requestPersistence()}>${declined ? 'Ask again' : 'Ask the browser to keep it'}</button>
      </div>
    `;
  }

  #total(storage: StorageStep) {
    const estimate = storage.listing?.estimate;
    if (!estimate) return nothing;
    const parts = [
      estimate.details?.indexedDB !== undefined ? `IndexedDB ${formatBytes(estimate.details.indexedDB)}` : '',
      estimate.details?.caches !== undefined ? `offline cache ${formatBytes(estimate.details.caches)}` : '',
    ].filter(Boolean);
    return html`<p class="hint">
      This site uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} the browser allows it${parts.length ? ` (${parts.join(', ')})` : ''}.
    </p>`;
  }

  #item(lab: Lab, item: StoredItem, blocked: string) {
    const confirming = this.confirming === item.id;
    const figures = [formatBytes(item.bytes), item.savedAt ? `saved ${formatWhen(item.savedAt)}` : '', this.#detail(lab, item)].filter(Boolean).join(' · ');
    return html`<li>
      <div class="what">
        <strong>${KIND[item.kind]}</strong>: ${item.label}${item.inUse ? html` <span class="in-use">in use</span>` : nothing}
        <div class="figures">${figures}</div>
      </div>
      ${confirming
        ? html`<div class="confirm" role="group" aria-label="Confirm the deletion">
            <p>Delete “${item.label}” (${formatBytes(item.bytes)})? ${item.inUse ? IN_USE[item.kind] : ''} This cannot be undone.</p>
            <button type="button" class="primary" ?disabled=${Boolean(blocked)} @click=${() => this.#remove(lab, item)}>Delete it</button>
            <button type="button" @click=${() => (this.confirming = null)}>Keep it</button>
          </div>`
        : html`<button type="button" aria-label="Delete ${KIND[item.kind].toLowerCase()}: ${item.label}" ?disabled=${Boolean(blocked)} title=${blocked || nothing}
            @click=${() => (this.confirming = item.id)}>Delete…</button>`}
    </li>`;
  }

  #detail(lab: Lab, item: StoredItem): string {
    switch (item.kind) {
      case 'features': {
        const total = lab.dataset.manifest?.images.length;
        const weights = item.spec && lab.storage.items.find((i) => i.kind === 'weights' && i.weightsId === item.spec!.weightsId);
        return [
          `${item.entries} images`,
          item.covers !== null && total ? `${item.covers} of the loaded dataset’s ${total}` : '',
          `made with ${weights ? weights.label : `the weights ${shortId(item.spec?.weightsId ?? '')}`}`,
        ]
          .filter(Boolean)
          .join(', ');
      }
      case 'weights':
        return item.copies.offlineCache > 0 && item.copies.indexedDB > 0
          ? `IndexedDB ${formatBytes(item.copies.indexedDB)} + offline cache ${formatBytes(item.copies.offlineCache)}`
          : '';
      case 'head':
      case 'checkpoint':
        return item.datasetId === lab.dataset.manifest?.id ? 'for the loaded dataset' : 'for another dataset or split';
      case 'dataset':
      case 'webcam':
        return '';
    }
  }

  async #remove(lab: Lab, item: StoredItem): Promise<void> {
    this.confirming = null;
    await lab.storage.remove(item);
  }
}

/** The start of a SHA-256 id ("sha256:3f2a9c1e…"), or a generated id as it is. */
function shortId(id: string): string {
  const hex = /^(sha256:)?([0-9a-f]{64})$/.exec(id);
  return hex ? `${hex[1] ?? ''}${hex[2]!.slice(0, 8)}…` : id;
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-storage': TlStepStorage;
  }
}
