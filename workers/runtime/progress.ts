import type {Progress} from '../../src/shared/protocol.ts';

export type ProgressCallback = (progress: Progress) => void;

/**
 * Throttles progress to about 10 Hz so the main thread is not flooded,
 * never awaited by the job (a slow UI must not slow the work). The first
 * and the final report always go out.
 */
export function progressReporter<K extends Progress['kind']>(
  kind: K,
  onProgress?: ProgressCallback,
  intervalMs = 100,
): (done: number, total: number, extra?: Omit<Extract<Progress, {kind: K}>, keyof Progress>) => void {
  const started = performance.now();
  let lastSent = -Infinity;
  return (done, total, extra = {} as never) => {
    if (!onProgress) return;
    const now = performance.now();
    const final = done >= total;
    if (!final && done > 0 && now - lastSent < intervalMs) return;
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
