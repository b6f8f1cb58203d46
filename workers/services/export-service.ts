import * as tf from '@tensorflow/tfjs';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import type {
  EvaluationResult,
  ExportRequest,
  ExportResult,
  ExportSplitRequest,
  FeatureSpec,
  HeadInfo,
  LoadedExportInfo,
  OpenExportRequest,
  PredictImagesRequest,
  PredictImagesResult,
  Progress,
} from '../../src/shared/protocol/index.ts';
import {classifierTopology} from '../export/classifier-topology.ts';
import {bundleWeights, classifierWeights, modelWeights, storedWeights, type WeightSource} from '../export/classifier-weights.ts';
import {buildMetadata} from '../export/export-metadata.ts';
import {checkTopK, collectSources, newImagesCsv, predictImages} from '../export/predict-images.ts';
import {loadExportModel, readExport} from '../export/read-export.ts';
import {writeExportZip} from '../export/write-export.ts';
import {preprocess} from '../model/preprocess.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import {assertWeightsMatch, headFor, sameSpec} from '../session/lineage.ts';
import type {ExportSlot, Session} from '../session/session.ts';
import type {CheckpointManifest} from '../training/checkpoint-store.ts';
import {evaluateOnImages} from '../training/evaluate.ts';
import {imagesOf} from '../training/feature-sets.ts';

/**
 * The trained classifier as a zip (tfjs layers model, Keras .h5,
 * metadata.json), and an exported zip loaded back: its predictions on the
 * dataset's test split (to check them against the app's) and on new images.
 */
export function createExportService(session: Session) {
  return {
    /**
     * Exports the head on the conv base, or the fine-tuned model (block5
     * and the head from the last checkpoint, blocks 1–4 from the loaded
     * weights), as one flat model from preprocessed pixels to probabilities.
     */
    create(jobId: string, {model, evaluation}: ExportRequest, onEvent?: Listener<Progress>): Promise<ExportResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('exporting');
        const weights = session.requireWeights('exporting');
        if (evaluation && (evaluation.model !== model || evaluation.datasetId !== manifest.id)) {
          const of = evaluation.model !== model ? `the ${evaluation.model} model` : 'another dataset or split';
          throw new NamedError(ErrorName.InvalidRequest, `That evaluation is of ${of}: evaluate the ${model} model on this dataset (step 5), or export without metrics.`);
        }
        const parts = model === 'head' ? await headParts(session) : await fineTunedParts(session);
        assertWeightsMatch(weights.info, parts.spec, model === 'head' ? 'The head' : 'The fine-tuned model');
        const shape = {inputSize: parts.spec.inputSize, widths: weights.info.widths, classCount: manifest.classes.length};
        const exportWeights = classifierWeights(shape, [await bundleWeights(weights.bundle), parts.weights]);
        const exportedAt = new Date();
        const metadata = buildMetadata({
          model,
          spec: parts.spec,
          weights: weights.info,
          params: exportWeights.reduce((sum, w) => sum + w.values.length, 0),
          manifest,
          head: parts.head,
          fineTune: parts.fineTune,
          evaluation: evaluation ?? null,
          exportedAt,
        });
        const reporters = {tfjs: progressReporter('export', onEvent), keras: progressReporter('export', onEvent)};
        const written = await writeExportZip({
          topology: classifierTopology(shape),
          weights: exportWeights,
          metadata,
          signal,
          onProgress: (stage, done, total) => reporters[stage](done, total, {stage}, done === 0),
        });
        return {zip: written.zip, fileName: exportFileName(manifest.name, model, exportedAt), metadata, bytes: written.bytes};
      });
    },

    /**
     * Loads an exported zip (checked first: see readExport) onto the
     * inference backend, in place of the one loaded before; a zip that
     * fails its checks leaves that one loaded.
     */
    open(jobId: string, {file}: OpenExportRequest, onEvent?: Listener<Progress>): Promise<LoadedExportInfo> {
      return session.job(jobId, onEvent, async (signal) => {
        const report = progressReporter('export', onEvent);
        const read = await readExport(file, {signal, onBytes: (done, total) => report(done, total, {stage: 'read'})});
        const backend = await session.onBackend('inference');
        const model = await loadExportModel(read);
        const info: LoadedExportInfo = {fileName: file.name, bytes: file.size, params: model.countParams(), metadata: read.metadata, backend};
        session.setExport({model, file, info});
        return info;
      });
    },

    /** The exported model loaded, or null. */
    info(): LoadedExportInfo | null {
      return session.loadedExport?.info ?? null;
    },

    /**
     * The loaded export's predictions on a split of the current dataset
     * (test by default), scored as step 5 scores the app's own model: the
     * page compares the two. The dataset must have the export's classes.
     */
    predictSplit(jobId: string, {split = 'test'}: ExportSplitRequest = {}, onEvent?: Listener<Progress>): Promise<EvaluationResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const {model, info} = await exportOnInferenceBackend(session);
        const {metadata} = info;
        const manifest = session.requireDataset('predicting on its test split');
        if (manifest.classes.join('\n') !== metadata.classes.join('\n')) {
          throw new NamedError(
            ErrorName.InvalidRequest,
            `The exported model knows the classes ${metadata.classes.join(', ')}; this dataset has ${manifest.classes.join(', ')}. Load the dataset it was trained on.`,
          );
        }
        const size = metadata.input.height;
        const report = progressReporter('evaluation', onEvent);
        const scored = await evaluateOnImages(
          model,
          imagesOf(manifest, split),
          metadata.classes.length,
          async (batch) => {
            const pixels = await session.dataset.readPixels(batch, size, metadata.preprocessing.resize.method, signal);
            return tf.tidy(() => preprocess(tf.tensor4d(pixels, [batch.length, size, size, 3], 'int32'), metadata.preprocessing.mode));
          },
          {signal, onBatch: (done, total) => report(done, total)},
        );
        return {split, model: metadata.model, classes: metadata.classes, datasetId: manifest.id, ...scored};
      });
    },

    /**
     * The loaded export's top-k classes for new, unlabelled images (files,
     * or zips of them), prepared exactly as its metadata says, with a CSV.
     */
    predictImages(jobId: string, {files, topK}: PredictImagesRequest, onEvent?: Listener<Progress>): Promise<PredictImagesResult> {
      return session.job(jobId, onEvent, async (signal) => {
        const {model, info} = await exportOnInferenceBackend(session);
        const {metadata} = info;
        const k = checkTopK(topK, metadata.classes.length);
        const collected = await collectSources(files, signal);
        try {
          const report = progressReporter('prediction', onEvent);
          const result = await predictImages({
            model,
            metadata,
            sources: collected.sources,
            topK: k,
            signal,
            onItem: (done, total, predicted) => report(done, total, {predicted}),
          });
          const ignored = [...collected.ignored, ...result.notImages];
          return {
            model: metadata.model,
            classes: metadata.classes,
            predictions: result.predictions,
            skipped: [...collected.skipped, ...result.skipped],
            ignored: {count: ignored.length, examples: ignored.slice(0, 10)},
            csv: newImagesCsv(result.predictions, k),
          };
        } finally {
          await collected.close();
        }
      });
    },

    /** Unloads the exported model (its tensors are freed). */
    close(): Promise<void> {
      return session.serially(async () => session.setExport(null));
    },
  };
}

interface ModelParts {
  spec: FeatureSpec;
  /** What differs from the loaded conv base: the head (and block5, for the fine-tuned model). */
  weights: WeightSource;
  head: HeadInfo | null;
  fineTune: CheckpointManifest | null;
}

/** The trained head (on the loaded conv base). */
async function headParts(session: Session): Promise<ModelParts> {
  const head = headFor(await session.trainedHead(), session.requireDataset('exporting'), 'exporting');
  return {spec: head.info.spec, weights: await modelWeights(head.model), head: head.info, fineTune: null};
}

/** block5 and the head from the last checkpoint; the head's settings when the head in hand is the one it started from. */
async function fineTunedParts(session: Session): Promise<ModelParts> {
  const manifest = session.requireDataset('exporting');
  const checkpoint = await session.checkpoints.load();
  if (!checkpoint || checkpoint.manifest.datasetId !== manifest.id) {
    throw new NamedError(ErrorName.NotFineTuned, 'No fine-tuned model for this dataset yet: run step 4 first.');
  }
  const head = (await session.trainedHead())?.info;
  const startedFrom = head && head.datasetId === manifest.id && sameSpec(head.spec, checkpoint.manifest.spec) && head.trainedAt <= checkpoint.manifest.savedAt;
  return {spec: checkpoint.manifest.spec, weights: storedWeights(checkpoint.weights), head: startedFrom ? head : null, fineTune: checkpoint.manifest};
}

/**
 * The loaded export on the inference backend. Tensors never move between
 * backends: if the backend changed since it was loaded, it is built again
 * from its zip.
 */
async function exportOnInferenceBackend(session: Session): Promise<ExportSlot> {
  const loaded = session.loadedExport;
  if (!loaded) throw new NamedError(ErrorName.NoExportLoaded, 'Open an exported model (its .zip) first.');
  const backend = await session.onBackend('inference');
  if (loaded.info.backend === backend) return loaded;
  const moved: ExportSlot = {...loaded, model: await loadExportModel(await readExport(loaded.file)), info: {...loaded.info, backend}};
  session.setExport(moved);
  return moved;
}

/** e.g. "bags-vs-boots-fine-tuned-2025-03-01.zip": the dataset, the model, the day. */
function exportFileName(datasetName: string, model: string, when: Date): string {
  const base = datasetName.replace(/\.zip$/i, '').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '') || 'model';
  return `${base}-${model}-${when.toISOString().slice(0, 10)}.zip`;
}
