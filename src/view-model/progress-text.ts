import {formatBytes, formatSeconds} from '../shared/format.ts';
import type {Progress} from '../shared/protocol/index.ts';

/** A job's progress in words: where it is, then its figures (rate, time left, last metrics). */
export interface ProgressText {
  /** e.g. "Epoch 2 of 5 · batch 3 of 7" or "120 / 400 images". */
  position: string;
  figures: string[];
}

const STAGES: Record<Extract<Progress, {kind: 'weights'}>['stage'], string> = {
  download: 'Downloading',
  read: 'Reading the file',
  store: 'Keeping a copy in this browser',
};

const EXPORT_STAGES: Record<Extract<Progress, {kind: 'export'}>['stage'], string> = {
  tfjs: 'Writing the tfjs model',
  keras: 'Writing the Keras .h5',
  read: 'Reading the exported model',
};

export function progressText(p: Progress): ProgressText {
  const figures: string[] = [];
  const rate = (unit: string) => {
    if (p.rate > 0) figures.push(`${p.rate >= 10 ? p.rate.toFixed(0) : p.rate.toFixed(1)} ${unit}/s`);
  };
  const left = () => {
    if (p.etaSeconds && p.done < p.total) figures.push(`${formatSeconds(p.etaSeconds)} left`);
  };
  const count = (unit: string) => `${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} ${unit}`;
  switch (p.kind) {
    case 'import':
      rate('files');
      left();
      return {position: `${count('files')} · ${p.images.toLocaleString('en')} images`, figures};
    case 'features':
      rate('images');
      left();
      if (p.cached) figures.push(`${p.cached.toLocaleString('en')} from the cache`);
      return {position: count('images'), figures};
    case 'evaluation':
    case 'explain':
    case 'split-zip':
      rate('images');
      left();
      return {position: count('images'), figures};
    case 'project':
      if (p.rate > 0) figures.push(`${formatBytes(p.rate)}/s`);
      left();
      return {position: `${p.stage === 'write' ? 'Writing' : 'Reading'}: ${formatBytes(p.done)} of ${formatBytes(p.total)}`, figures};
    case 'export':
      left();
      return {position: `${EXPORT_STAGES[p.stage]}: ${formatBytes(p.done)} of ${formatBytes(p.total)}`, figures};
    case 'prediction':
      rate('files');
      left();
      return {position: `${count('files')} · ${p.predicted.toLocaleString('en')} images predicted`, figures};
    case 'weights': {
      if (p.stage === 'download' && p.rate > 0) figures.push(`${formatBytes(p.rate)}/s`);
      left();
      return {position: `${STAGES[p.stage]}: ${formatBytes(p.done)} of ${formatBytes(p.total)}`, figures};
    }
    case 'fine-tune': {
      rate('images');
      left();
      if (p.loss !== null && p.accuracy !== null) figures.push(`loss ${p.loss.toFixed(3)}, accuracy ${(p.accuracy * 100).toFixed(1)} %`);
      const where =
        p.stage === 'train' ? `batch ${p.batch} of ${p.batches}` : p.stage === 'validate' ? 'validating' : 'saving the checkpoint';
      return {position: `Epoch ${p.epoch} of ${p.epochs} · ${where}`, figures};
    }
  }
}
