import type {Lab} from '../lab/lab.ts';

export const STEP_NAMES = ['demo', 'runtime', 'weights', 'data', 'webcam', 'features', 'head', 'fine-tune', 'results', 'live', 'export', 'project', 'storage'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type StepState = 'done' | 'running' | 'ready' | 'waiting' | 'failed';

export interface StepStatus {
  state: StepState;
  /** A few words: "400 images", "epoch 3 of 5", "waiting for features". */
  text: string;
}

/** Where each step stands, for the page's step list. */
export function stepStatus(lab: Lab, step: StepName): StepStatus {
  const of = (state: StepState, text: string): StepStatus => ({state, text});
  const failed = (run: {status: string}) => run.status === 'failed';
  switch (step) {
    case 'demo':
      if (lab.demo.running) return of('running', lab.demo.stage ?? 'running');
      if (lab.demo.outcome) return of(lab.demo.outcome.ok ? 'done' : 'failed', lab.demo.outcome.ok ? 'done' : 'stopped');
      return of(lab.demo.blocked() ? 'waiting' : 'ready', 'every step, no download');
    case 'runtime': {
      const report = lab.runtime.report;
      if (report) return of('done', `${report.phases.inference.backend} / ${report.phases.training.backend}`);
      return failed(lab.runtime.run) ? of('failed', 'could not start') : of('running', 'starting');
    }
    case 'weights': {
      const {weights} = lab;
      if (weights.run.running) return of('running', 'loading');
      if (weights.info) return of('done', weights.info.widths.join('-') === '64-128-256-512-512' ? 'VGG16' : `narrow (${weights.info.widths.at(-1)})`);
      return weights.missingAtStart ? of('ready', 'choose weights') : failed(weights.run) ? of('failed', 'not loaded') : of('waiting', 'waiting');
    }
    case 'data': {
      const {dataset} = lab;
      if (dataset.run.running) return of('running', 'importing');
      if (dataset.manifest) return of('done', `${dataset.manifest.images.length} images`);
      return of('ready', 'drop a zip');
    }
    case 'webcam': {
      const {webcam} = lab;
      if (webcam.capturing) return of('running', 'capturing');
      if (webcam.making) return of('running', 'importing');
      if (webcam.datasetIsWebcam) return of('done', 'in step 1');
      const frames = webcam.frameCount;
      return of('ready', frames ? `${frames} frames` : 'capture frames');
    }
    case 'features':
      if (lab.features.run.running) return of('running', 'computing');
      if (lab.features.ready) return of('done', 'cached');
      return lab.features.blocked() ? of('waiting', 'needs data and weights') : of('ready', 'ready to compute');
    case 'head':
      if (lab.head.run.running) return of('running', `epoch ${lab.head.lastEpoch?.epoch ?? 0}`);
      if (lab.head.trained) return of('done', 'trained');
      return lab.head.blocked() ? of('waiting', 'needs features') : of('ready', 'ready to train');
    case 'fine-tune': {
      const {fineTune} = lab;
      const p = fineTune.run.progress;
      if (fineTune.run.running) return of('running', p?.kind === 'fine-tune' ? `epoch ${p.epoch} of ${p.epochs}` : 'starting');
      if (fineTune.current) return of('done', `${fineTune.current.epoch} epochs`);
      return fineTune.blocked() ? of('waiting', 'needs a trained head') : of('ready', 'ready');
    }
    case 'results': {
      const {results} = lab;
      if (results.run.running) return of('running', 'evaluating');
      if (results.result) return of('done', `${(results.result.accuracy * 100).toFixed(1)} % right`);
      return results.blocked('head') ? of('waiting', 'needs a model') : of('ready', 'ready');
    }
    case 'live': {
      const {live} = lab;
      if (live.running) return of('running', 'predicting');
      if (live.run.status === 'failed') return of('failed', 'stopped');
      return live.blocked('head') && live.blocked('fine-tuned') ? of('waiting', 'needs a trained model') : of('ready', 'ready');
    }
    case 'export': {
      const use = lab.modelUse;
      if (use.exporting.running) return of('running', 'exporting');
      if (use.busy) return of('running', 'predicting');
      if (use.loaded) return of('done', `${use.loaded.metadata.classes.length} classes loaded`);
      if (use.exporting.status === 'done') return of('done', 'exported');
      return use.blockedExport('head') ? of('waiting', 'needs a trained model') : of('ready', 'ready to export');
    }
    case 'project': {
      const {project} = lab;
      if (project.saving.running) return of('running', 'saving');
      if (project.opening.running) return of('running', 'opening');
      if (project.replay.running) return of('running', 'replaying');
      if (project.saving.status === 'done') return of('done', 'saved');
      if (project.opening.status === 'done') return of('done', 'opened');
      return of('ready', 'save or open');
    }
    case 'storage': {
      const {offline} = lab.storage;
      if (offline.state === 'ready') return of('done', 'ready offline');
      if (offline.state === 'installing') return of('running', 'saving the app');
      return of(offline.state === 'failed' ? 'failed' : 'ready', 'online only');
    }
  }
}
