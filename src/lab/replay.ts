import type {EvaluationResult, RunManifest, RunScore} from '../shared/protocol/index.ts';
import type {Lab} from './lab.ts';
import {weightsSourceFromRecord} from './weights-record.ts';
import {Walkthrough, type Stage, type WalkthroughOutcome} from './walkthrough.ts';

/** A run's scores as a run manifest keeps them. */
export function runScore(result: EvaluationResult): RunScore {
  return {accuracy: result.accuracy, loss: result.loss, predicted: result.predictions.map((p) => p.predicted)};
}

/**
 * A run manifest replayed: on its dataset (which must be the one loaded),
 * with its weights (loaded again if they are not), on its backends, with
 * its settings and seeds, through the same step actions a user drives;
 * then its scores are compared with the manifest's.
 */
export class ReplayRun extends Walkthrough {
  /** The manifest of the replay in progress, or of the last one. */
  manifest: RunManifest | null = null;

  constructor(private readonly replayLab: Lab) {
    super(replayLab, 'The replay');
  }

  /** Why this manifest cannot be replayed here, or ''. */
  blocked(manifest: RunManifest): string {
    const lab = this.replayLab;
    if (!lab.runtime.ready) return 'Waiting for the runtime to start.';
    const dataset = lab.dataset.manifest;
    if (!dataset) return `Import the run's dataset first (step 1): ${manifest.dataset.name}.`;
    if (dataset.id !== manifest.dataset.id) {
      return `The dataset in step 1 is not the run's (${manifest.dataset.name}${manifest.dataset.options?.seed !== undefined ? `, split with seed ${manifest.dataset.options.seed}` : ''}): import that one, with that split.`;
    }
    if (lab.weights.info?.id !== manifest.weights.id && !manifest.weights.source) {
      return `Load the run's weights first: ${manifest.weights.label} (id ${manifest.weights.id.slice(0, 12)}…).`;
    }
    return '';
  }

  run(manifest: RunManifest): Promise<boolean> {
    const lab = this.replayLab;
    this.manifest = manifest;
    const why = this.blocked(manifest);
    if (why) {
      this.outcome = {ok: false, text: why};
      lab.changed();
      return Promise.resolve(false);
    }
    return this.walk(
      () => {
        const stages: Stage[] = [];
        const phases = lab.runtime.report?.phases;
        if (phases?.inference.backend !== manifest.backends.inference || phases.training.backend !== manifest.backends.training) {
          stages.push([`switching to the run's backends (${manifest.backends.inference}, ${manifest.backends.training})`, lab.runtime.run, () => lab.runtime.configure({...manifest.backends})]);
        }
        const source = weightsSourceFromRecord(manifest.weights);
        if (lab.weights.info?.id !== manifest.weights.id && source) {
          stages.push([`loading the run's weights (${manifest.weights.label})`, lab.weights.run, () => lab.weights.load(source)]);
        }
        stages.push(
          ['computing features', lab.features.run, () => lab.features.compute({...manifest.features})],
          ['training the head', lab.head.run, () => lab.head.train({...manifest.head})],
        );
        if (manifest.results.head) stages.push(['evaluating the head', lab.results.run, () => lab.results.evaluate('head')]);
        if (manifest.fineTune) {
          stages.push(['fine-tuning block5', lab.fineTune.run, () => lab.fineTune.start({...manifest.fineTune!})]);
          if (manifest.results.fineTuned) stages.push(['evaluating the fine-tuned model', lab.results.run, () => lab.results.evaluate('fine-tuned')]);
        }
        return stages;
      },
      () => compareScores(manifest, lab.results.byModel),
    );
  }
}

/** The replay's scores next to the manifest's: the same to the last digit, or what differs. */
export function compareScores(manifest: RunManifest, results: Partial<Record<'head' | 'fine-tuned', EvaluationResult>>): WalkthroughOutcome {
  const lines: string[] = [];
  let same = true;
  const check = (what: string, expected: RunScore | undefined, got: EvaluationResult | undefined) => {
    if (!expected) return;
    if (!got) {
      same = false;
      lines.push(`${what}: not scored`);
      return;
    }
    const changed = got.predictions.filter((p, i) => p.predicted !== expected.predicted[i]).length;
    const lossDelta = Math.abs(got.loss - expected.loss);
    const equal = got.accuracy === expected.accuracy && changed === 0 && lossDelta <= 1e-6 * Math.max(1, Math.abs(expected.loss));
    same &&= equal;
    lines.push(
      `${what}: accuracy ${percent(got.accuracy)} (run: ${percent(expected.accuracy)}), loss ${got.loss.toFixed(6)} (run: ${expected.loss.toFixed(6)})` +
        (changed ? `, ${changed} prediction(s) differ` : ', every prediction the same'),
    );
  };
  check('Head', manifest.results.head, results.head);
  check('Fine-tuned', manifest.results.fineTuned, results['fine-tuned']);
  return {ok: same, text: `${same ? 'Reproduced' : 'Not reproduced'}. ${lines.join('; ')}.`};
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
