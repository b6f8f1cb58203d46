import type {EvaluationResult, ExportEvaluation, ExportedModel, ExportResult, LoadedExportInfo, NamedFile, PredictImagesResult} from '../shared/protocol/index.ts';
import {predictionParity, type PredictionParity} from '../view-model/prediction-parity.ts';
import type {Lab} from './lab.ts';
import type {StepRun} from './step-run.ts';

/** How an exported model's test-split predictions compare with what the app said of the model it came from. */
export type ParityCheck =
  /** Image by image, against this visit's evaluation of the same model. */
  | {against: 'predictions'; result: EvaluationResult; parity: PredictionParity}
  /** Against the scores metadata.json recorded at export (accuracy and loss), where this visit has no evaluation of its own. */
  | {against: 'metadata'; result: EvaluationResult; equal: boolean; recorded: {accuracy: number; loss: number}}
  /** Nothing to compare with: only the export's own scores. */
  | {against: 'nothing'; result: EvaluationResult};

/**
 * Using the trained model outside the steps: exported as one zip (tfjs,
 * Keras .h5, metadata.json); an exported zip loaded back, its predictions
 * on the test split checked against the app's, and new, unlabelled images
 * classified (top-k, and a CSV).
 */
export class ModelUseStep {
  readonly exporting: StepRun<ExportResult>;
  readonly opening: StepRun<LoadedExportInfo>;
  readonly checking: StepRun<ParityCheck>;
  readonly predicting: StepRun<PredictImagesResult>;
  /** The exported model the worker holds, for predictions. */
  loaded: LoadedExportInfo | null = null;

  constructor(private readonly lab: Lab) {
    this.exporting = lab.stepRun();
    this.opening = lab.stepRun();
    this.checking = lab.stepRun();
    this.predicting = lab.stepRun();
  }

  get busy(): boolean {
    return [this.exporting, this.opening, this.checking, this.predicting].some((run) => run.running);
  }

  /** Why exporting this model waits, or ''. */
  blockedExport(model: ExportedModel): string {
    const lab = this.lab;
    const waiting = lab.dataset.blocked() || lab.weights.blocked();
    if (waiting) return waiting;
    if (this.busy) return 'Waiting for the running job.';
    if (model === 'head') return lab.head.trained ? '' : 'Train the head first (step 3).';
    if (lab.fineTune.run.running) return 'Waiting for fine-tuning to finish (step 4).';
    return lab.fineTune.current ? '' : 'Fine-tune first (step 4).';
  }

  /** Exports a model; its scores from step 5 go into metadata.json when it was evaluated. */
  exportModel(model: ExportedModel): Promise<boolean> {
    const evaluation = this.#evaluationOf(model);
    return this.exporting.run((signal, onProgress) =>
      this.lab.client.export.create(
        {model, ...(evaluation ? {evaluation: scoresOf(evaluation)} : {})},
        {signal, onEvent: onProgress},
      ),
    );
  }

  /** Loads an exported zip (dropped, or the one just made) to predict with it. */
  async open(file: File): Promise<boolean> {
    const ok = await this.opening.run((signal, onProgress) => this.lab.client.export.open({file}, {signal, onEvent: onProgress}));
    if (ok) {
      this.loaded = this.opening.value!;
      this.checking.value = undefined;
      this.predicting.value = undefined;
      this.lab.changed();
    }
    return ok;
  }

  /** The model just exported, loaded back as a user would load its file. */
  openExported(): Promise<boolean> {
    const made = this.exporting.value;
    return made ? this.open(new File([made.zip], made.fileName, {type: 'application/zip'})) : Promise.resolve(false);
  }

  /** Why the parity check waits, or ''. */
  blockedCheck(): string {
    if (!this.loaded) return 'Open an exported model first.';
    const manifest = this.lab.dataset.manifest;
    if (!manifest) return `Import its dataset first (step 1): ${this.loaded.metadata.dataset.name}.`;
    if (manifest.classes.join('\n') !== this.loaded.metadata.classes.join('\n')) {
      return `Its classes are ${this.loaded.metadata.classes.join(', ')}; step 1's dataset has ${manifest.classes.join(', ')}.`;
    }
    if (manifest.counts.test.every((n) => n === 0)) return 'This dataset has no test images.';
    return this.busy ? 'Waiting for the running job.' : '';
  }

  /**
   * The loaded export's predictions on the test split, next to the app's:
   * image by image against this visit's evaluation of the model it came
   * from, else against the scores its metadata recorded.
   */
  checkParity(tolerance = 1e-4): Promise<boolean> {
    const loaded = this.loaded!;
    return this.checking.run(async (signal, onProgress) => {
      const result = await this.lab.client.export.predictSplit({split: 'test'}, {signal, onEvent: onProgress});
      const ours = this.#evaluationOf(loaded.metadata.model);
      if (ours) return {against: 'predictions', result, parity: predictionParity(ours, result, tolerance)};
      const recorded = loaded.metadata.evaluation;
      if (recorded && loaded.metadata.dataset.id === result.datasetId) {
        const equal = recorded.accuracy === result.accuracy && Math.abs(recorded.loss - result.loss) <= tolerance;
        return {against: 'metadata', result, equal, recorded: {accuracy: recorded.accuracy, loss: recorded.loss}};
      }
      return {against: 'nothing', result};
    });
  }

  /** Top-k classes for new images (3 by default, fewer with fewer classes): files, a folder's files (with their paths), or zips of them. */
  predict(files: Array<File | NamedFile>, topK = Math.min(3, this.loaded?.metadata.classes.length ?? 3)): Promise<boolean> {
    return this.predicting.run((signal, onProgress) => this.lab.client.export.predictImages({files, topK}, {signal, onEvent: onProgress}));
  }

  /** This visit's evaluation of a model on the current dataset, if it is still that model's. */
  #evaluationOf(model: ExportedModel): EvaluationResult | undefined {
    const result = this.lab.results.byModel[model];
    return result && result.datasetId === this.lab.dataset.manifest?.id ? result : undefined;
  }
}

/** An evaluation without its per-image predictions: what metadata.json records. */
function scoresOf({split, datasetId, model, classes, loss, accuracy, confusion, perClass}: EvaluationResult): ExportEvaluation {
  return {split, datasetId, model, classes, loss, accuracy, confusion, perClass};
}
