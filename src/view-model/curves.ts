import type {EpochLog} from '../shared/protocol/index.ts';

/** One training run as the curves show it. */
export interface CurveRun {
  id: string;
  label: string;
  history: EpochLog[];
  /** 1-based epoch to mark; by default the one with the lowest validation loss so far. */
  bestEpoch?: number;
  /** Epochs after which a new phase began (e.g. fine-tuning after the head): drawn as a line. */
  phaseChanges?: number[];
  /**
   * The run whose first `epochs` epochs this one repeats (fine-tuning carries
   * its head run's epochs so it reads as one curve). While that run is drawn
   * too, this one's line starts at the last shared epoch, so neither hides the other.
   */
  continues?: {id: string; epochs: number};
}

export type Metric = 'loss' | 'accuracy';

/** The run's marked epoch: the one given, else the lowest validation loss so far (live, while it trains). */
export function bestEpochOf(run: CurveRun): number | undefined {
  if (run.bestEpoch) return run.bestEpoch;
  let best: EpochLog | undefined;
  for (const log of run.history) if (!best || log.valLoss < best.valLoss) best = log;
  return best?.epoch;
}

/**
 * The tutorial's smooth_curve: an exponential moving average,
 * smoothed[i] = smoothed[i-1]·factor + value[i]·(1 − factor).
 */
export function smooth(values: readonly number[], factor = 0.8): number[] {
  const out: number[] = [];
  values.forEach((value, i) => out.push(i === 0 ? value : out[i - 1]! * factor + value * (1 - factor)));
  return out;
}

export interface SeriesSet {
  /** Epoch numbers 1..longest run. */
  epochs: number[];
  series: Array<{label: string; runIndex: number; validation: boolean; values: (number | null)[]}>;
}

/**
 * Folds runs into aligned series for one metric: per run, training and
 * validation, padded with null where a run is shorter (early stopping,
 * a run still going) and before where it continues a run drawn beside it.
 */
export function seriesFor(runs: readonly CurveRun[], metric: Metric, smoothing: boolean): SeriesSet {
  const length = Math.max(0, ...runs.map((r) => r.history.length));
  const epochs = Array.from({length}, (_, i) => i + 1);
  const pad = (values: number[], from: number): (number | null)[] => epochs.map((_, i) => (i < from ? null : (values[i] ?? null)));
  const drawnFrom = (run: CurveRun) =>
    run.continues && runs.some((r) => r.id === run.continues!.id) ? Math.max(0, run.continues.epochs - 1) : 0;
  const key = {loss: ['loss', 'valLoss'], accuracy: ['accuracy', 'valAccuracy']}[metric] as [keyof EpochLog, keyof EpochLog];
  const series: SeriesSet['series'] = [];
  runs.forEach((run, runIndex) => {
    key.forEach((field, k) => {
      const raw = run.history.map((log) => log[field]);
      series.push({
        label: `${run.label} · ${k === 0 ? 'training' : 'validation'}`,
        runIndex,
        validation: k === 1,
        // Smoothed over the whole history, so the joined line is the one the continued run would draw.
        values: pad(smoothing ? smooth(raw) : raw, drawnFrom(run)),
      });
    });
  });
  return {epochs, series};
}
