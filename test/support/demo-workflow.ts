import type {TrainerClient} from '../../src/client/trainer-client.ts';
import {DEMO} from '../../src/shared/demo.ts';
import type {FineTuneOptions, HeadOptions, WeightsInfo, WeightsSource} from '../../src/shared/protocol/index.ts';

/** The demo's files as the app serves them (Vite serves public/ at the root, in tests and benchmarks too). */
export const DEMO_FOLDER = new URL('/demo/', location.origin);
export const DEMO_WEIGHTS_URL = new URL(DEMO.weightsPath, DEMO_FOLDER).href;

export async function demoDatasetFile(): Promise<File> {
  const response = await fetch(new URL(DEMO.datasetPath, DEMO_FOLDER));
  if (!response.ok) throw new Error(`The demo dataset is missing (HTTP ${response.status}): run npm run demo:dataset`);
  return new File([await response.blob()], DEMO.datasetPath, {type: 'application/zip'});
}

export interface DemoScores {
  weights: WeightsInfo;
  /** The head's validation accuracy at its best epoch (lowest validation loss), as the tutorial reports it. */
  headValidationAccuracy: number;
  headTestAccuracy: number;
  /** Only when fine-tuning was asked for. */
  fineTunedTestAccuracy?: number;
}

/**
 * The demo's workflow without the page: import, features, head, optionally
 * fine-tuning, scores. The playground's "Run the demo" drives the same steps
 * through its step tasks; this is for measuring it (benchmarks) and testing it.
 */
export async function runDemoWorkflow(
  trainer: TrainerClient,
  weights: WeightsSource,
  {head = DEMO.head, fineTune}: {head?: HeadOptions; fineTune?: FineTuneOptions} = {},
): Promise<DemoScores> {
  const info = await trainer.weights.load(weights);
  await trainer.dataset.importZip({file: await demoDatasetFile()});
  const {spec} = await trainer.features.compute(DEMO.features);
  const trained = await trainer.head.train({spec: spec, options: head});
  const best = trained.history[trained.bestEpoch - 1]!;
  const scores: DemoScores = {
    weights: info,
    headValidationAccuracy: best.valAccuracy,
    headTestAccuracy: (await trainer.evaluation.head({split: 'test'})).accuracy,
  };
  if (fineTune) {
    await trainer.fineTune.run(fineTune);
    scores.fineTunedTestAccuracy = (await trainer.evaluation.fineTuned({split: 'test'})).accuracy;
  }
  return scores;
}
