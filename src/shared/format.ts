/** Byte counts as people read them: binary units, labelled as such. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An error as one line for the page: its name (the worker's error names say what kind) and message. */
export function describeError(err: unknown): string {
  const {name, message} = (err ?? {}) as Partial<Error>;
  return `${name ?? 'Error'}: ${message ?? String(err)}`;
}

/** A moment as people read it: "today at 14:05", or the date for older ones. */
export function formatWhen(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString('en', {hour: '2-digit', minute: '2-digit'});
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay ? `today at ${time}` : `${date.toLocaleDateString('en', {day: 'numeric', month: 'short', year: 'numeric'})} at ${time}`;
}

/** Seconds as "12 s", "3 min 20 s" or "2 h 5 min". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
