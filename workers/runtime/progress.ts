import type {Progress} from '../../src/shared/protocol/index.ts';

/**
 * A job's callback as the worker sees it: a plain function in tests, a
 * Comlink proxy (which returns a promise) from the page.
 */
export type Listener<E> = (event: E) => unknown;

type Extra<K extends Progress['kind']> = Omit<Extract<Progress, {kind: K}>, 'kind' | 'done' | 'total' | 'rate' | 'etaSeconds'>;

/**
 * Throttles progress to about 10 Hz so the main thread is not flooded,
 * never awaited by the job (a slow UI must not slow the work). The first
 * and the final report always go out, and so does one marked `force` (a
 * change of stage that must not be lost to the throttle).
 */
export function progressReporter<K extends Progress['kind']>(
  kind: K,
  onProgress?: Listener<Progress>,
  intervalMs = 100,
): (done: number, total: number, extra?: Extra<K>, force?: boolean) => void {
  const started = performance.now();
  let lastSent = -Infinity;
  return (done, total, extra = {} as Extra<K>, force = false) => {
    if (!onProgress) return;
    const now = performance.now();
    const final = done >= total;
    if (!final && !force && done > 0 && now - lastSent < intervalMs) return;
    lastSent = now;
    const seconds = (now - started) / 1000;
    // Items that were already there (cache hits) took no time: they must not inflate the rate.
    const skipped = (extra as {cached?: number}).cached ?? 0;
    const rate = seconds > 0 ? (done - skipped) / seconds : 0;
    const etaSeconds = rate > 0 ? (total - done) / rate : null;
    // Fire and forget: a Comlink call returns a promise we deliberately do not await.
    void Promise.resolve(onProgress({kind, done, total, rate, etaSeconds, ...extra} as Progress)).catch(() => {});
  };
}
