import {html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import {downloadBlob} from '../../components/download.ts';
import type {Lab} from '../../lab/lab.ts';
import {readRunManifest} from '../../lab/project.ts';
import {describeError, formatBytes, formatWhen} from '../../shared/format.ts';
import {progressText} from '../../view-model/progress-text.ts';
import {StepElement} from '../step-element.ts';
import {action, runError, runProgress} from '../step-parts.ts';

/**
 * Keeping the work: "Save project" writes the dataset, the trained head and
 * fine-tuned weights, the cached features, every setting and seed, the
 * curves and the results into one file; "Open project" brings all of it
 * back, in this browser or another. A run manifest (settings, seeds, the
 * dataset's and weights' ids, the backends, the scores) replays a run and
 * checks that it gives the same numbers.
 *
 * @summary Save and open a project; export and replay a run manifest.
 */
@customElement('tl-step-project')
export class TlStepProject extends StepElement {
  protected readonly number = '';
  protected readonly heading = 'Save and reopen';
  /** Why the last replay could not start (an unreadable manifest). */
  #replayError: unknown = null;

  protected why() {
    return 'A project file holds everything: the dataset, the trained head and fine-tuned weights, the cached features, every setting and seed, the curves and the results. Open it later, or in another browser, and go on where you stopped. A run manifest is smaller: what decides a run’s numbers, so anyone with the same dataset can replay it and get the same scores.';
  }

  protected renderControls(lab: Lab) {
    const {project} = lab;
    const busy = project.saving.running || project.opening.running || project.replay.running;
    const runBlocked = project.blockedRunManifest();
    return html`
      <div class="actions">
        ${action({label: 'Save project', blocked: busy ? 'Waiting for the running job.' : project.blockedSave(), id: 'save', primary: true, onClick: () => void this.#save(lab)})}
      </div>
      <div class="actions">
        <label class="file ${busy ? 'disabled' : ''}">Open a project…
          <input type="file" accept=".zip,application/zip" ?disabled=${busy} @change=${(e: Event) => this.#open(e, lab)} />
        </label>
      </div>
      <div class="actions">
        ${action({label: 'Download the run manifest', blocked: runBlocked, id: 'manifest', onClick: () => this.#downloadManifest(lab)})}
      </div>
      <div class="actions">
        ${project.replay.running
          ? html`<button type="button" @click=${() => project.replay.stop()}>Stop the replay</button>`
          : html`<label class="file ${busy ? 'disabled' : ''}">Replay a run manifest…
              <input type="file" accept=".json,application/json" ?disabled=${busy} @change=${(e: Event) => this.#replay(e, lab)} />
            </label>`}
      </div>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {project} = lab;
    const saved = project.saving.status === 'done' ? project.saving.value : undefined;
    const opened = project.opening.status === 'done' ? project.opening.value : undefined;
    const replay = project.replay;
    const replayProgress = replay.progress ? progressText(replay.progress) : null;
    return html`
      ${runProgress(project.saving, 'Saving the project')} ${runError(project.saving, 'The project could not be saved: ')}
      ${saved
        ? html`<p class="ok" role="status">
            Saved ${formatBytes(saved.bytes)}: ${saved.contents.images} images${saved.contents.features ? `, the features of ${saved.contents.features}` : ''}${saved.contents.head ? ', the head' : ''}${saved.contents.fineTunedEpoch
              ? `, the fine-tuned weights of epoch ${saved.contents.fineTunedEpoch}`
              : ''}, the settings, curves and results.
          </p>`
        : nothing}
      ${runProgress(project.opening, 'Opening the project')} ${runError(project.opening, 'The project could not be opened: ')}
      ${opened
        ? html`<p class="ok" role="status">
              Opened ${opened.manifest.name}, saved ${formatWhen(opened.savedAt)} (Transfer Lab ${opened.appVersion}): the dataset${opened.features ? ', its features' : ''}${opened.head
                ? ', the head'
                : ''}${opened.checkpoint ? `, the fine-tuned weights of epoch ${opened.checkpoint.epoch}` : ''} and every setting are back in their steps.
            </p>
            ${project.notes.map((note) => html`<p class="warning" role="status">${note}</p>`)}`
        : nothing}
      ${replay.running
        ? html`<p role="status">Replay: ${replay.stage}…${replayProgress ? ` ${replayProgress.position}` : ''}</p>`
        : nothing}
      ${this.#replayError ? html`<p class="error" role="alert">${describeError(this.#replayError)}</p>` : nothing}
      ${replay.outcome && !replay.running
        ? html`<p class=${replay.outcome.ok ? 'ok' : 'error'} role=${replay.outcome.ok ? 'status' : 'alert'}>${replay.outcome.text}</p>`
        : nothing}
    `;
  }

  async #save(lab: Lab): Promise<void> {
    const {project} = lab;
    const ok = await project.save();
    const blob = ok ? project.saving.value?.blob : undefined;
    if (blob) downloadBlob(blob, project.fileName);
  }

  #open(event: Event, lab: Lab): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void lab.project.open(file);
  }

  #downloadManifest(lab: Lab): void {
    const manifest = lab.project.runManifest();
    const name = `${manifest.dataset.name.replace(/\.zip$/i, '')}.run.json`;
    downloadBlob(new Blob([JSON.stringify(manifest, null, 2)], {type: 'application/json'}), name);
  }

  async #replay(event: Event, lab: Lab): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.#replayError = null;
    try {
      await lab.project.replay.run(await readRunManifest(file));
    } catch (err) {
      this.#replayError = err;
      this.requestUpdate();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-project': TlStepProject;
  }
}
