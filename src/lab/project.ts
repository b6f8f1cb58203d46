import {ErrorName, NamedError} from '../shared/errors.ts';
import type {ProjectOpened, ProjectPage, ProjectSaved, RunManifest} from '../shared/protocol/index.ts';
import {APP_VERSION} from '../shared/version.ts';
import type {Lab} from './lab.ts';
import {ReplayRun, runScore} from './replay.ts';
import type {StepRun} from './step-run.ts';
import {weightsRecord, weightsSourceFromRecord} from './weights-record.ts';

/** Where "Save project" writes: a file handle, or a Blob for the page to download. */
export type SaveTarget = FileSystemFileHandle | 'download';

/**
 * Keeping the work: the whole project saved to one file and opened again
 * (the dataset, the trained models, the cached features, every setting,
 * the curves and results), and a run manifest — what decides a run's
 * numbers — exported and replayed.
 */
export class ProjectStep {
  readonly saving: StepRun<ProjectSaved>;
  readonly opening: StepRun<ProjectOpened>;
  readonly replay: ReplayRun;
  /** What the last open could not bring back, in words. */
  notes: string[] = [];

  constructor(private readonly lab: Lab) {
    this.saving = lab.stepRun();
    this.opening = lab.stepRun();
    this.replay = new ReplayRun(lab);
  }

  /** Why "Save project" waits, or ''. */
  blockedSave(): string {
    return this.lab.dataset.blocked();
  }

  /** A file name from the dataset's: pets.zip → pets.transferlab.zip. */
  get fileName(): string {
    const name = this.lab.dataset.manifest?.name.replace(/\.zip$/i, '') || 'project';
    return `${name}.transferlab.zip`;
  }

  /**
   * Saves the project. By default into a file the user picks where the
   * browser can (written as it is made, and a full disk leaves the old file
   * as it was); else, or with 'download', the result holds a Blob to download.
   */
  async save(target?: SaveTarget): Promise<boolean> {
    const lab = this.lab;
    return this.saving.run(async (signal, onProgress) => {
      const handle = target === 'download' ? null : (target ?? (await pickSaveFile(this.fileName)));
      const info = lab.weights.info;
      return lab.client.project.save(
        {
          page: this.#page(),
          weights: info ? weightsRecord(info, lab.weights.source) : null,
          ...(lab.features.ready ? {features: lab.features.ready.spec} : {}),
          ...(handle ? {target: handle} : {}),
        },
        {signal, onEvent: onProgress},
      );
    });
  }

  /**
   * Opens a project file: every step goes on from where it was saved (the
   * run ends once the steps have it back, weights included).
   */
  open(file: File): Promise<boolean> {
    this.notes = [];
    return this.opening.run(async (signal, onProgress) => {
      const opened = await this.lab.client.project.open({file}, {signal, onEvent: onProgress});
      this.notes = await this.#restore(opened);
      return opened;
    });
  }

  /** Puts an opened project's state in every step; says what could not come back. */
  async #restore(opened: ProjectOpened): Promise<string[]> {
    const lab = this.lab;
    const {manifest, page} = opened;
    lab.dataset.adopt(manifest);
    lab.features.options = {...page.features};
    if (opened.features) lab.features.adopt(opened.features.spec, manifest.id, opened.savedAt);
    lab.head.options = {...page.head};
    lab.head.trainedWith = opened.head ? {...page.head} : null;
    lab.fineTune.options = {...page.fineTune};
    lab.curves.replace(page.curves);
    lab.results.restore(page.results.filter((r) => r.datasetId === manifest.id));
    await Promise.all([lab.head.refresh(), lab.fineTune.refresh()]);
    const notes = [...opened.notes];
    if (opened.weights && lab.weights.info?.id !== opened.weights.id) {
      const source = weightsSourceFromRecord(opened.weights);
      const loaded = source ? await lab.weights.load(source) : false;
      if (!loaded) {
        notes.push(
          `It was made with the weights “${opened.weights.label}”, which are not loaded: load them (above) to compute features, fine-tune or score the fine-tuned model. The head works as it is, from the features that came with the project.`,
        );
      }
    }
    return notes;
  }

  /** Why a run manifest cannot be made yet, or ''. */
  blockedRunManifest(): string {
    const lab = this.lab;
    if (lab.dataset.blocked()) return lab.dataset.blocked();
    if (!lab.weights.info || !lab.runtime.report) return lab.weights.blocked() || 'Waiting for the runtime to start.';
    if (!lab.head.trainedWith || !lab.features.ready) return 'Train the head first (step 3), then score it (step 5): the manifest records the scores to reproduce.';
    const {head, 'fine-tuned': fineTuned} = this.#scores();
    if (!head && !fineTuned) return 'Score the head or the fine-tuned model on the test split first (step 5): the manifest records the scores to reproduce.';
    return '';
  }

  /** What decides this run's numbers, and the numbers: replaying it on the same dataset and backends gives them again. */
  runManifest(): RunManifest {
    const why = this.blockedRunManifest();
    if (why) throw new NamedError(ErrorName.InvalidRequest, why);
    const lab = this.lab;
    const dataset = lab.dataset.manifest!;
    const {phases} = lab.runtime.report!;
    const scores = this.#scores();
    const fineTune = scores['fine-tuned'] && lab.fineTune.current ? lab.fineTune.current.options : null;
    const count = (split: 'train' | 'validation' | 'test') => dataset.counts[split].reduce((a, b) => a + b, 0);
    return {
      format: 'transfer-lab-run',
      schema: 1,
      appVersion: APP_VERSION,
      createdAt: Date.now(),
      dataset: {id: dataset.id, name: dataset.name, options: dataset.split, counts: {train: count('train'), validation: count('validation'), test: count('test')}},
      weights: weightsRecord(lab.weights.info!, lab.weights.source),
      backends: {inference: phases.inference.backend, training: phases.training.backend},
      features: {...lab.features.options, ...pick(lab.features.ready!.spec)},
      head: {...lab.head.trainedWith!},
      fineTune: fineTune && {...fineTune},
      results: {
        ...(scores.head ? {head: runScore(scores.head)} : {}),
        ...(scores['fine-tuned'] && fineTune ? {fineTuned: runScore(scores['fine-tuned'])} : {}),
      },
    };
  }

  /** This dataset's scores of the models as they are now. */
  #scores() {
    const id = this.lab.dataset.manifest?.id;
    const {head, 'fine-tuned': fineTuned} = this.lab.results.byModel;
    return {head: head?.datasetId === id ? head : undefined, 'fine-tuned': fineTuned?.datasetId === id ? fineTuned : undefined};
  }

  #page(): ProjectPage {
    const lab = this.lab;
    return {
      features: {...lab.features.options},
      head: {...(lab.head.trainedWith ?? lab.head.options)},
      fineTune: {...lab.fineTune.options},
      curves: lab.curves.list.map((run) => ({...run})),
      results: Object.values(lab.results.byModel),
    };
  }
}

/** The settings of a feature spec that a feature run takes. */
function pick({inputSize, preprocessing, resize}: {inputSize: number; preprocessing: RunManifest['features']['preprocessing']; resize: RunManifest['features']['resize']}) {
  return {inputSize, preprocessing, resize};
}

/** Reads a run manifest file, checking that it is one. */
export async function readRunManifest(file: Blob): Promise<RunManifest> {
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await file.text()) as RunManifest;
  } catch {
    throw new NamedError(ErrorName.InvalidRequest, 'This file is not a run manifest (it is not JSON).');
  }
  if (manifest?.format !== 'transfer-lab-run' || manifest.schema !== 1 || !manifest.dataset?.id || !manifest.weights?.id || !manifest.head) {
    throw new NamedError(ErrorName.InvalidRequest, 'This file is not a Transfer Lab run manifest (or one of another version).');
  }
  return manifest;
}

interface SaveFilePicker {
  (options: {suggestedName: string; types: Array<{description: string; accept: Record<string, string[]>}>}): Promise<FileSystemFileHandle>;
}

/**
 * The browser's Save dialog, where it has one and this frame may show it
 * (not in a cross-origin iframe); null where it cannot: download instead.
 */
async function pickSaveFile(suggestedName: string): Promise<FileSystemFileHandle | null> {
  const picker = (globalThis as {showSaveFilePicker?: SaveFilePicker}).showSaveFilePicker;
  if (typeof picker !== 'function') return null;
  try {
    return await picker({suggestedName, types: [{description: 'Transfer Lab project', accept: {'application/zip': ['.zip']}}]});
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw new NamedError(ErrorName.Cancelled, 'Saving was cancelled.');
    return null; // SecurityError: a cross-origin frame, or no user gesture
  }
}
