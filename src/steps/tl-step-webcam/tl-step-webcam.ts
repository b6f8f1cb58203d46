import {css, html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import {repeat} from 'lit/directives/repeat.js';
import {downloadBlob} from '../../components/download.ts';
import {ObjectUrls} from '../../components/object-urls.ts';
import {grabFrame} from '../../lab/camera.ts';
import type {Lab} from '../../lab/lab.ts';
import {CAPTURE_FRAMES_PER_SECOND} from '../../lab/webcam.ts';
import {describeError, formatBytes} from '../../shared/format.ts';
import type {WebcamClass} from '../../shared/protocol/index.ts';
import {StepElement} from '../step-element.ts';
import {action, datasetError, runError, runProgress} from '../step-parts.ts';

/**
 * Step 1 from the camera, as Teachable Machine does it: classes, frames
 * captured while a class's button is held (about five a second; Space held
 * on the focused button works too), deleted one by one or all at once —
 * then made into a dataset exactly like a dropped zip of class folders
 * (the same checks and seeded split, kept across reloads), and downloadable
 * by its split. Captured frames are kept in this browser as they are taken:
 * a reload, or a camera that goes away, loses none.
 *
 * @summary Capture a dataset with the webcam.
 */
@customElement('tl-step-webcam')
export class TlStepWebcam extends StepElement {
  static override styles = [
    ...StepElement.styles,
    css`
      .camera { margin-top: calc(var(--_space) * 0.75); }
      .camera[hidden] { display: none; }
      video { display: block; width: 100%; max-width: 24rem; aspect-ratio: 4 / 3; object-fit: contain; background: #111; border-radius: calc(var(--_radius) * 0.6); }
      form.new-class { margin-top: calc(var(--_space) * 0.75); }
      ul.classes { list-style: none; margin: calc(var(--_space) * 0.75) 0 0; padding: 0; display: grid; gap: calc(var(--_space) * 0.75); }
      @container (min-width: 44rem) {
        ul.classes { grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); align-items: start; }
      }
      li.class { border: 1px solid var(--_border); border-radius: var(--_radius); padding: calc(var(--_space) * 0.75); min-width: 0; }
      .class-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.75rem; }
      h3 { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
      .count { color: var(--_muted); font-size: 0.9em; }
      li.class .actions { margin-top: 0.5rem; }
      button.capture { touch-action: none; user-select: none; -webkit-user-select: none; }
      form.rename { margin-top: 0.5rem; }
      form.rename input { width: 12rem; }
      ul.frames {
        list-style: none; margin: 0.5rem 0 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, 66px); gap: 0.25rem;
        max-height: 13rem; overflow-y: auto;
      }
      button.frame { padding: 0; border: 1px solid var(--_border); line-height: 0; background: transparent; }
      button.frame:hover { border-color: var(--_error); }
      ul.frames img { display: block; width: 64px; height: 64px; object-fit: cover; }
    `,
  ];
  protected readonly number = '1';
  protected readonly heading = '…or use the webcam';
  protected override readonly split = false;
  /** The shown thumbnails' object URLs. */
  readonly #urls = new ObjectUrls();

  protected why() {
    return html`Make the dataset with your camera: add a class, hold its <em>Capture</em> button while you show it to the camera, and the same for each
      other class. The frames stay in this browser (kept as they are taken) and become a dataset exactly like a dropped zip of class folders.`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.lab?.webcam.stop();
    this.#urls.revokeAll();
  }

  protected override willUpdate(): void {
    if (this.lab && !this.lab.webcam.loaded) void this.lab.webcam.load();
  }

  protected override updated(): void {
    const video = this.renderRoot.querySelector('video');
    const stream = this.lab?.webcam.camera.stream ?? null;
    if (video && video.srcObject !== stream) {
      video.srcObject = stream;
      // Played, not only autoplayed: Chromium pauses a muted autoplaying video that is out of view, and then it has no frame to take.
      if (stream) void video.play().catch(() => {});
    }
    this.#urls.keepOnly(new Set(this.lab?.webcam.classes.flatMap((c) => c.frames.map((f) => f.thumbnail))));
  }

  protected renderControls(lab: Lab) {
    const {webcam} = lab;
    const {camera} = webcam;
    return html`
      <div class="actions">
        ${camera.state === 'on'
          ? html`<button type="button" @click=${() => webcam.stop()}>Turn the camera off</button>`
          : html`<button type="button" class="primary" ?disabled=${camera.state === 'starting'} @click=${() => void camera.start()}>
              ${camera.state === 'starting' ? 'Starting the camera…' : 'Start camera'}
            </button>`}
      </div>
      <form class="new-class" aria-label="New class" @submit=${(e: SubmitEvent) => this.#addClass(e, lab)}>
        <label>New class<input name="name" required maxlength="64" autocomplete="off" placeholder="e.g. thumbs up" /></label>
        <button type="submit">Add class</button>
      </form>
      <div class="actions">
        ${action({label: 'Use as dataset', blocked: webcam.blockedUse(), id: 'use', primary: true, onClick: () => void webcam.useAsDataset()})}
        ${action({label: 'Download by split', blocked: webcam.blockedDownload(), id: 'download', onClick: () => void this.#download(lab)})}
      </div>
      <p class="hint">
        Hold a class's button — with the mouse, a finger, or Space on the focused button — to take about ${CAPTURE_FRAMES_PER_SECOND} frames a second;
        Enter takes one. Step 1 splits each class 70/15/15: a class needs 4 frames to have one in validation, and 20 or more train better.
      </p>
    `;
  }

  protected renderOutput(lab: Lab) {
    const {webcam} = lab;
    const {camera} = webcam;
    const kept = webcam.frameCount;
    const manifest = lab.dataset.manifest;
    return html`
      ${camera.problem
        ? html`<div class="error" role="alert">
            <p>${camera.problem.message}</p>
            ${kept ? html`<p class="hint">The ${kept} frame(s) captured so far are kept.</p>` : nothing}
          </div>`
        : nothing}
      ${webcam.error ? this.#error(webcam.error, lab) : nothing}
      ${webcam.making ? runProgress(lab.dataset.run, 'Importing the frames') : nothing}
      ${webcam.datasetIsWebcam && manifest && !webcam.making
        ? html`<p class="ok" role="status">
            Step 1's dataset is made of these frames: ${manifest.images.length} images in ${manifest.classes.length} classes
            (train ${sum(manifest.counts.train)}, validation ${sum(manifest.counts.validation)}, test ${sum(manifest.counts.test)}).
          </p>`
        : nothing}
      ${runProgress(webcam.download, 'Writing the zip')} ${runError(webcam.download, 'The dataset could not be written: ')}
      <div class="camera" ?hidden=${camera.state !== 'on'}>
        <video aria-label="Camera preview" autoplay muted playsinline></video>
      </div>
      ${camera.state === 'on' ? nothing : html`<p class="hint" id="capture-waits">${camera.state === 'starting' ? 'Starting the camera…' : 'The camera is off: start it to capture frames.'}</p>`}
      ${this.#classes(lab)}
    `;
  }

  #classes(lab: Lab) {
    const {webcam} = lab;
    if (!webcam.loaded) return nothing;
    if (webcam.classes.length === 0) return html`<p class="hint">No classes yet: add one (say "thumbs up"), then another ("thumbs down").</p>`;
    return html`<ul class="classes" aria-label="Classes">
      ${repeat(
        webcam.classes,
        (c) => c.id,
        (c) => this.#class(lab, c),
      )}
    </ul>`;
  }

  #class(lab: Lab, c: WebcamClass) {
    const {webcam} = lab;
    const actions = this.controls !== 'none';
    const capturing = webcam.capturing === c.id;
    const cannotCapture = webcam.camera.state !== 'on' || (webcam.capturing !== null && !capturing);
    const bytes = c.frames.reduce((total, f) => total + f.bytes, 0);
    const heading = `class-${c.id}`;
    return html`<li class="class" aria-labelledby=${heading}>
      <div class="class-head">
        <h3 id=${heading}>${c.name}</h3>
        <span class="count">${c.frames.length} frame(s)${bytes ? `, ${formatBytes(bytes)}` : ''}</span>
      </div>
      ${actions
        ? html`<div class="actions">
              <button
                type="button"
                class="capture ${capturing ? 'primary' : ''}"
                aria-pressed=${capturing ? 'true' : 'false'}
                aria-describedby=${webcam.camera.state === 'on' ? nothing : 'capture-waits'}
                ?disabled=${cannotCapture}
                @pointerdown=${(e: PointerEvent) => this.#press(e, lab, c.id)}
                @pointerup=${() => webcam.stopCapture()}
                @pointercancel=${() => webcam.stopCapture()}
                @lostpointercapture=${() => webcam.stopCapture()}
                @keydown=${(e: KeyboardEvent) => this.#keyDown(e, lab, c.id)}
                @keyup=${(e: KeyboardEvent) => this.#keyUp(e, lab)}
                @blur=${() => webcam.stopCapture()}
                @contextmenu=${(e: Event) => e.preventDefault()}
              >
                ${capturing ? 'Capturing…' : 'Hold to capture'}<span class="visually-hidden"> ${c.name}</span>
              </button>
              <button type="button" ?disabled=${c.frames.length === 0} @click=${() => void webcam.clearClass(c.id)}>
                Delete all frames<span class="visually-hidden"> of ${c.name}</span>
              </button>
              <button type="button" @click=${() => void webcam.removeClass(c.id)}>Remove class<span class="visually-hidden"> ${c.name}</span></button>
            </div>
            <form class="rename" aria-label="Rename ${c.name}" @submit=${(e: SubmitEvent) => this.#rename(e, lab, c.id)}>
              <label>Name<input name="name" .value=${c.name} required maxlength="64" autocomplete="off" /></label>
              <button type="submit">Rename</button>
            </form>`
        : nothing}
      ${c.frames.length
        ? html`<ul class="frames" aria-label="Frames of ${c.name}" tabindex=${actions ? nothing : '0'}>
            ${repeat(
              c.frames,
              (f) => f.id,
              (f, k) =>
                html`<li>
                  ${actions
                    ? html`<button type="button" class="frame" title="Delete this frame" aria-label="Delete frame ${k + 1} of ${c.name}" @click=${() => void webcam.deleteFrame(f)}>
                        <img src=${this.#urls.for(f.thumbnail)} alt="" width="64" height="64" />
                      </button>`
                    : html`<img src=${this.#urls.for(f.thumbnail)} alt="Frame ${k + 1} of ${c.name}" width="64" height="64" />`}
                </li>`,
            )}
          </ul>`
        : nothing}
    </li>`;
  }

  #error(err: unknown, lab: Lab) {
    const problems = (err as {details?: {problems?: unknown}}).details?.problems;
    return problems ? datasetError(err, lab.dataset.manifest !== null, 'these frames') : html`<p class="error" role="alert">${describeError(err)}</p>`;
  }

  /** The frame the preview shows, taken as an ImageBitmap for the worker. */
  readonly #grab = (): Promise<ImageBitmap | null> => {
    const video = this.renderRoot.querySelector('video');
    return video ? grabFrame(video) : Promise.resolve(null);
  };

  #press(event: PointerEvent, lab: Lab, classId: string): void {
    if (event.button !== 0) return;
    try {
      // Keeps pointerup coming here when the finger or mouse slides off the button while held.
      (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    } catch {
      // A pointer the browser does not track (a synthetic event) cannot be captured; pointerup still ends it.
    }
    lab.webcam.startCapture(classId, this.#grab);
  }

  #keyDown(event: KeyboardEvent, lab: Lab, classId: string): void {
    if (event.key === ' ') {
      event.preventDefault(); // no page scroll, no click when it is let go
      if (!event.repeat) lab.webcam.startCapture(classId, this.#grab);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (!event.repeat) void lab.webcam.captureOne(classId, this.#grab);
    }
  }

  #keyUp(event: KeyboardEvent, lab: Lab): void {
    if (event.key !== ' ') return;
    event.preventDefault();
    lab.webcam.stopCapture();
  }

  async #addClass(event: SubmitEvent, lab: Lab): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    if (await lab.webcam.addClass(String(new FormData(form).get('name') ?? ''))) form.reset();
  }

  #rename(event: SubmitEvent, lab: Lab, classId: string): void {
    event.preventDefault();
    void lab.webcam.renameClass(classId, String(new FormData(event.target as HTMLFormElement).get('name') ?? ''));
  }

  async #download(lab: Lab): Promise<void> {
    if (await lab.webcam.downloadSplit()) {
      const made = lab.webcam.download.value!;
      downloadBlob(made.zip, made.fileName);
    }
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

declare global {
  interface HTMLElementTagNameMap {
    'tl-step-webcam': TlStepWebcam;
  }
}
