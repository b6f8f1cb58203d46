import {expose, proxy, releaseProxy, transfer, wrap, type Remote} from 'comlink';
import type {TrainerServices} from '../../workers/trainer-services.ts';
import {installNamedErrorTransfer} from '../shared/comlink-errors.ts';
import {ErrorName, NamedError} from '../shared/errors.ts';
import type {FeatureRequest, FrameSource, LiveEvent, LiveRequest, LiveSummary, WeightsSource} from '../shared/protocol/index.ts';

installNamedErrorTransfer();

/** What the caller of a long job can give: a way to stop it, and a listener for its progress and epochs. */
export interface JobOptions<E> {
  signal?: AbortSignal;
  onEvent?: (event: E) => void;
}

type Services = TrainerServices;
type Method = (...args: never[]) => unknown;
/** A worker job: `(jobId, request, onEvent?) => Promise<result>`. */
type JobMethod = (jobId: string, request: never, onEvent?: never) => Promise<unknown>;
type RequestOf<F> = F extends (jobId: string, request: infer Q, ...rest: never[]) => unknown ? Q : never;
type EventOf<F> = F extends (jobId: string, request: never, onEvent?: (event: infer E) => unknown) => unknown ? E : never;
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** On the page: the job without its id, which the client makes and cancels by. */
export type ClientJob<F> = undefined extends RequestOf<F>
  ? (request?: RequestOf<F>, job?: JobOptions<EventOf<F>>) => Promise<ResultOf<F>>
  : (request: RequestOf<F>, job?: JobOptions<EventOf<F>>) => Promise<ResultOf<F>>;
/** On the page: a quick call, the same arguments, always a promise. */
export type ClientCall<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

type JobNames<S> = {[M in keyof S]: S[M] extends JobMethod ? M : never}[keyof S];

let nextJob = 0;

/**
 * The main thread's handle on the trainer worker: the one place that
 * creates it. Its namespaces mirror the worker's services (runtime, weights,
 * dataset, features, head, fineTune, evaluation, explain, project, export, storage, webcam), typed by them: a job is
 * `(request, {signal, onEvent})`, its id and cancellation handled here.
 * A worker that fails to load or dies would leave Comlink calls pending
 * forever, so the client watches for that and rejects them with
 * WorkerCrashedError, naming what failed.
 */
export class TrainerClient {
  readonly #remote: Remote<Services>;
  readonly #worker: Worker | null;
  #crash: NamedError | null = null;
  readonly #crashed: Promise<never>;
  #rejectCrashed!: (err: NamedError) => void;

  readonly runtime = {
    /** Resolves the backends (or re-chooses them with overrides) and reports why each was picked. */
    configure: this.#call('runtime', 'configure'),
    storage: this.#call('runtime', 'storage'),
    memory: this.#call('runtime', 'memory'),
  };

  readonly weights = {
    /** Relative URLs mean "relative to this page"; the worker would read them relative to its script. */
    load: this.#job('weights', 'load', (source: WeightsSource) =>
      source.kind === 'url' ? {...source, url: new URL(source.url, document.baseURI).href} : source,
    ),
    info: this.#call('weights', 'info'),
  };

  readonly dataset = {
    /** The File goes to the worker as is (a reference: the page never reads the archive). */
    importZip: this.#job('dataset', 'importZip'),
    restore: this.#call('dataset', 'restore'),
    resplit: this.#call('dataset', 'resplit'),
    pixels: this.#call('dataset', 'pixels'),
  };

  readonly features = {
    compute: this.#job('features', 'compute'),
    /** The pixels' buffer is transferred: the caller loses it. */
    extract: this.#job('features', 'extract', (request: FeatureRequest) => transfer(request, [request.pixels.buffer])),
    clear: this.#call('features', 'clear'),
  };

  readonly head = {
    train: this.#job('head', 'train'),
    info: this.#call('head', 'info'),
  };

  readonly fineTune = {
    run: this.#job('fineTune', 'run'),
    checkpoint: this.#call('fineTune', 'checkpoint'),
    preview: this.#call('fineTune', 'preview'),
  };

  readonly evaluation = {
    head: this.#job('evaluation', 'head'),
    fineTuned: this.#job('evaluation', 'fineTuned'),
  };

  readonly explain = {
    /** Grad-CAM maps of dataset images; each map's buffer arrives transferred. */
    gradCam: this.#job('explain', 'gradCam'),
  };

  readonly project = {
    /** A picked file handle crosses as a handle: the worker writes the file itself. */
    save: this.#job('project', 'save'),
    open: this.#job('project', 'open'),
  };

  readonly export = {
    /** The zip comes back as a Blob (shared, not copied), to save as `fileName`. */
    create: this.#job('export', 'create'),
    open: this.#job('export', 'open'),
    info: this.#call('export', 'info'),
    predictSplit: this.#job('export', 'predictSplit'),
    predictImages: this.#job('export', 'predictImages'),
    close: this.#call('export', 'close'),
  };

  readonly storage = {
    list: this.#call('storage', 'list'),
    remove: this.#call('storage', 'remove'),
  };

  readonly webcam = {
    classes: this.#call('webcam', 'classes'),
    addClass: this.#call('webcam', 'addClass'),
    renameClass: this.#call('webcam', 'renameClass'),
    removeClass: this.#call('webcam', 'removeClass'),
    /** The bitmap is transferred, never copied or read here: the caller loses it. */
    capture: (classId: string, bitmap: ImageBitmap) => this.#call('webcam', 'capture')(classId, transfer(bitmap, [bitmap])),
    deleteFrame: this.#call('webcam', 'deleteFrame'),
    clearClass: this.#call('webcam', 'clearClass'),
    /** A File made in the worker comes back as a reference (its bytes stay where they are). */
    datasetZip: this.#call('webcam', 'datasetZip'),
    splitZip: this.#job('webcam', 'splitZip'),
    /**
     * The frame source is exposed on a port of its own that crosses with
     * the request (the worker releases it when the job ends); every frame
     * it gives is transferred.
     */
    predictLive: (request: LiveRequest, job?: JobOptions<LiveEvent>): Promise<LiveSummary> => {
      const {port1, port2} = new MessageChannel();
      let ended = false;
      const source: FrameSource = async () => {
        const bitmap = await request.nextFrame();
        if (!ended) return bitmap && transfer(bitmap, [bitmap]);
        bitmap?.close(); // the job is over: no one will take this frame
        return null;
      };
      expose(source, port1);
      return this.#liveJob(transfer({model: request.model, frames: port2}, [port2]), job).finally(() => {
        ended = true;
        port1.close();
      });
    },
  };

  readonly #liveJob = this.#job('webcam', 'predictLive');

  /**
   * Starts the trainer worker. `url` is where its script is (tests give
   * fixture workers); by default the app's own, resolved next to this module.
   */
  static start(): TrainerClient {
    return new TrainerClient(new Worker(new URL('../../workers/trainer.worker.ts', import.meta.url), {type: 'module', name: 'trainer'}));
  }

  /** Wraps an existing worker or port (tests use a worker with WebGPU hidden, or the services over a MessageChannel). */
  constructor(endpoint: Worker | MessagePort) {
    this.#remote = wrap<Services>(endpoint);
    this.#worker = endpoint instanceof Worker ? endpoint : null;
    this.#crashed = new Promise<never>((_, reject) => (this.#rejectCrashed = reject));
    this.#crashed.catch(() => {}); // observed through #call; not an unhandled rejection
    if (this.#worker) {
      // Any error event counts as fatal: it is how a worker that failed to load reports, and an
      // uncaught exception in ours means its state can no longer be trusted. The UI starts a new one.
      this.#worker.addEventListener('error', (event) => {
        // Handled here: without preventDefault it would also surface as an uncaught page error.
        event.preventDefault();
        this.#fail(`The trainer worker failed: ${describeErrorEvent(event)}`);
      });
      this.#worker.addEventListener('messageerror', () => this.#fail('A message from the trainer worker could not be read.'));
    }
  }

  #fail(message: string): void {
    if (this.#crash) return;
    this.#crash = new NamedError(ErrorName.WorkerCrashed, message);
    this.#rejectCrashed(this.#crash);
    this.#worker?.terminate();
  }

  #race<T>(work: () => Promise<T>): Promise<T> {
    if (this.#crash) return Promise.reject(this.#crash);
    return Promise.race([work(), this.#crashed]);
  }

  /** A quick call into a service (no id, not cancellable). */
  #call<S extends keyof Services, M extends keyof Services[S]>(service: S, method: M): ClientCall<Services[S][M]> {
    // Resolved at call time: these adapters are made before the constructor sets #remote.
    return ((...args: unknown[]) => this.#race(() => this.#method(service, method)(...(args as never[])) as Promise<unknown>)) as ClientCall<Services[S][M]>;
  }

  /**
   * A named, cancellable job: the signal's abort becomes `jobs.cancel(id)`;
   * the listener crosses as a Comlink proxy, which the worker releases.
   */
  #job<S extends keyof Services, M extends JobNames<Services[S]>>(
    service: S,
    method: M,
    prepare: (request: RequestOf<Services[S][M]>) => unknown = (request) => request,
  ): ClientJob<Services[S][M]> {
    const run = async (request: never, {signal, onEvent}: JobOptions<unknown> = {}) => {
      if (signal?.aborted) throw new NamedError(ErrorName.Cancelled, 'The job was cancelled before it started.');
      const jobId = `job-${++nextJob}`;
      const cancel = (): void => void (this.#method('jobs', 'cancel')(jobId as never) as Promise<boolean>).catch(() => {});
      signal?.addEventListener('abort', cancel, {once: true});
      try {
        const remote = this.#method(service, method);
        return await this.#race(() => remote(...([jobId, prepare(request), onEvent ? proxy(onEvent) : undefined] as never[])) as Promise<unknown>);
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    };
    return run as unknown as ClientJob<Services[S][M]>;
  }

  /** A service's method through Comlink (its nested proxies resolve the path when called). */
  #method(service: keyof Services, method: PropertyKey): Method {
    return (this.#remote as unknown as Record<keyof Services, Record<PropertyKey, Method>>)[service][method]!;
  }

  /** Ends the worker; pending calls reject with WorkerCrashedError. */
  dispose(): void {
    this.#remote[releaseProxy]();
    this.#fail('The trainer was shut down.');
  }
}

/**
 * What an error event says: its message and where (file, line, column).
 * A module worker that fails to load fires a plain Event with none of that.
 */
function describeErrorEvent(event: Event | ErrorEvent): string {
  if (!(event instanceof ErrorEvent) || !event.message) return 'it could not be loaded (its script failed to fetch or to parse; see the console)';
  const where = event.filename ? ` (${event.filename}:${event.lineno}:${event.colno})` : '';
  return `${event.message}${where}`;
}
