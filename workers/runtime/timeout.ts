/** Rejects with `error()` when `work` has not settled within `ms`: no start-up may hang the worker. */
export function withTimeout<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
