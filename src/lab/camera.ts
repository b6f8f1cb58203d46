/**
 * The camera, on the page: asking for it, what each refusal means in
 * words, turning it off (tracks stopped) when the user asks, when the tab
 * is hidden, or when the camera goes away (its track's `ended`). Frames are
 * taken as ImageBitmaps of a <video> the element shows, and go to the
 * worker transferred: the page never reads their pixels.
 */

/** Why the camera is off when the user wanted it on. */
export type CameraProblemReason =
  | 'insecure'
  | 'unsupported'
  | 'frame-policy'
  | 'not-found'
  | 'denied'
  | 'in-use'
  | 'ended'
  | 'hidden'
  | 'other';

export interface CameraProblem {
  reason: CameraProblemReason;
  /** The DOMException's name, where the browser gave one. */
  name?: string;
  message: string;
}

/** What the page is in, which changes what a refusal means. */
export interface CameraContext {
  /** Inside an iframe: the embedding page decides whether the camera may be used at all (`allow="camera"`). */
  inFrame: boolean;
}

const ALLOW_IN_FRAME = 'The page this one is embedded in must allow the camera: allow="camera" on its <iframe>.';

/**
 * The words for a failed `getUserMedia` (by the DOMException's name, never
 * its message text, which differs by browser) or for the camera going away.
 */
export function cameraProblem(cause: unknown, {inFrame}: CameraContext = currentContext()): CameraProblem {
  const name = typeof cause === 'object' && cause !== null ? String((cause as {name?: unknown}).name ?? '') : '';
  const message = typeof cause === 'object' && cause !== null ? String((cause as {message?: unknown}).message ?? '') : String(cause);
  switch (name) {
    case 'NotFoundError':
    case 'OverconstrainedError':
      return {reason: 'not-found', name, message: 'No camera was found. Connect one (or switch it on), then press Start camera.'};
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        reason: 'denied',
        name,
        message: `Camera access was refused. Allow the camera for this site (the camera icon in the address bar, or the browser's site settings), then press Start camera.${inFrame ? ` ${ALLOW_IN_FRAME}` : ''}`,
      };
    case 'NotReadableError':
    case 'AbortError':
      return {
        reason: 'in-use',
        name,
        message: 'The camera could not be started: another application (a video call?) may be using it, or the system blocked it. Close that application, then press Start camera.',
      };
    default:
      return {reason: 'other', name: name || undefined, message: `The camera could not be started (${name || 'Error'}: ${message}).`};
  }
}

/** The camera went away while on: unplugged, switched off, or taken by another application. */
export const CAMERA_ENDED: CameraProblem = {
  reason: 'ended',
  message: 'The camera stopped: it was unplugged, switched off, or taken by another application. Press Start camera to go on.',
};

/** Turned off because the tab was hidden (a camera no one looks at stays off). */
export const CAMERA_HIDDEN: CameraProblem = {
  reason: 'hidden',
  message: 'The camera was turned off while this tab was hidden. Press Start camera to go on.',
};

/** What stops the camera before the browser is even asked, or null. */
export function problemBeforeAsking(): CameraProblem | null {
  if (globalThis.isSecureContext === false) {
    return {
      reason: 'insecure',
      message: `Browsers give the camera only to secure pages (https://, or http://localhost), and this one is served over ${location.protocol.replace(':', '')}. Open it over https to use the camera; everything else works here.`,
    };
  }
  if (typeof navigator.mediaDevices?.getUserMedia !== 'function') {
    return {reason: 'unsupported', message: 'This browser gives pages no access to cameras (no navigator.mediaDevices.getUserMedia).'};
  }
  const policy = (document as Document & {featurePolicy?: {allowsFeature(feature: string): boolean}}).featurePolicy;
  if (policy?.allowsFeature('camera') === false) {
    return {reason: 'frame-policy', message: `This page may not use the camera here. ${ALLOW_IN_FRAME}`};
  }
  return null;
}

function currentContext(): CameraContext {
  let inFrame: boolean;
  try {
    inFrame = window.self !== window.top;
  } catch {
    inFrame = true; // reading `top` across origins can throw in old browsers: then it is a frame
  }
  return {inFrame};
}

/** What we ask for: a modest size is all a network input of 32–224 px needs, and keeps each kept frame small. */
const CONSTRAINTS: MediaStreamConstraints = {video: {width: {ideal: 640}, height: {ideal: 480}, facingMode: 'user'}, audio: false};

/** Frames are taken at most this large on their longer side, whatever the camera gives. */
export const MAX_FRAME_SIDE = 640;

export type CameraState = 'off' | 'starting' | 'on';

/**
 * One camera stream for one use (capturing, or live prediction). `onStop`
 * hears every stop that was not asked for (the camera went away, the tab
 * was hidden), with why.
 */
export class Camera {
  state: CameraState = 'off';
  stream: MediaStream | null = null;
  /** Why it is off, when the user did not turn it off. */
  problem: CameraProblem | null = null;
  readonly #onEnded = () => this.stop(CAMERA_ENDED);
  readonly #onVisibility = () => {
    if (document.visibilityState === 'hidden') this.stop(CAMERA_HIDDEN);
  };

  constructor(
    private readonly changed: () => void,
    private readonly onStop: (problem: CameraProblem) => void = () => {},
  ) {}

  /** Asks for the camera (the browser may ask the user); resolves whether it is on. */
  async start(): Promise<boolean> {
    if (this.state !== 'off') return this.state === 'on';
    this.problem = problemBeforeAsking();
    if (this.problem) {
      this.changed();
      return false;
    }
    this.state = 'starting';
    this.changed();
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
    } catch (err) {
      if (this.state === 'starting') {
        this.state = 'off';
        this.problem = cameraProblem(err);
        this.changed();
      }
      return false;
    }
    if (this.state !== 'starting') {
      // Turned off while the browser was asking.
      for (const track of stream.getTracks()) track.stop();
      return false;
    }
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', this.#onEnded);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.stream = stream;
    this.state = 'on';
    this.changed();
    return true;
  }

  /** Turns the camera off and stops its tracks; `problem` says why when the user did not ask. */
  stop(problem: CameraProblem | null = null): void {
    if (this.state === 'off') return;
    for (const track of this.stream?.getTracks() ?? []) {
      track.removeEventListener('ended', this.#onEnded);
      track.stop();
    }
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.stream = null;
    this.state = 'off';
    this.problem = problem;
    if (problem) this.onStop(problem);
    this.changed();
  }
}

/**
 * The video's current frame as an ImageBitmap (at most MAX_FRAME_SIDE on
 * its longer side), or null while it has none. Capturing and live
 * prediction take their frames the same way, so the model sees live what
 * it was trained on.
 */
export async function grabFrame(video: HTMLVideoElement): Promise<ImageBitmap | null> {
  const {videoWidth: width, videoHeight: height} = video;
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !width || !height) return null;
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height));
  try {
    return await (scale < 1
      ? createImageBitmap(video, {resizeWidth: Math.round(width * scale), resizeHeight: Math.round(height * scale), resizeQuality: 'high'})
      : createImageBitmap(video));
  } catch (err) {
    // A video that has just started (or been shown) can report a frame it cannot hand out yet.
    if ((err as Error)?.name === 'InvalidStateError') return null;
    throw err;
  }
}

/** How long to wait for the video's next frame before taking the current one anyway (a video that is not painted gets no callback). */
const NEXT_FRAME_TIMEOUT_MS = 250;

/**
 * Resolves when the video presents its next frame (or after a short
 * timeout), so frames are not taken twice from a camera slower than the
 * model.
 */
export function nextVideoFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, NEXT_FRAME_TIMEOUT_MS);
    if (typeof video.requestVideoFrameCallback === 'function') {
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    }
  });
}
