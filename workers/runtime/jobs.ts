import {ErrorName, NamedError} from '../../src/shared/errors.ts';

/**
 * Cooperative cancellation. AbortSignals cannot cross postMessage, so the
 * client names each job and calls `cancel(jobId)`; the job checks its
 * signal between batches and stops there, leaving what it finished intact.
 */
const running = new Map<string, AbortController>();

export function beginJob(jobId: string): AbortSignal {
  if (running.has(jobId)) throw new NamedError(ErrorName.InvalidRequest, `Job ${jobId} is already running.`);
  const controller = new AbortController();
  running.set(jobId, controller);
  return controller.signal;
}

export function endJob(jobId: string): void {
  running.delete(jobId);
}

/** Returns whether a running job was found and told to stop. */
export function cancelJob(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort();
  return controller !== undefined;
}

/** Stops every running job with `reason` (a job stops at its next check, as on a cancel). */
export function stopAllJobs(reason: NamedError): void {
  for (const controller of running.values()) controller.abort(reason);
}

/** A job stopped by the user is Cancelled; one stopped by the worker (`stopAllJobs`) throws the reason given. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof NamedError ? signal.reason : new NamedError(ErrorName.Cancelled, 'The job was cancelled.');
}

/**
 * Call between batches. On synchronous backends (wasm, cpu) `await
 * tensor.data()` settles in a microtask, so a job would never let the
 * worker read its next message, and `cancel()` would arrive only after the
 * job ended. A macrotask turn lets it in; then the signal is checked.
 */
export async function betweenBatches(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop();
  throwIfCancelled(signal);
}

const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** One macrotask turn, without setTimeout's 4 ms clamp (it adds up over thousands of batches). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
