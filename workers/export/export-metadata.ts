import {APP_NAME, APP_VERSION} from '../../src/shared/version.ts';
import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {
  EXPORT_FILES,
  EXPORT_FORMAT,
  EXPORT_SCHEMA_VERSION,
  PIL_FILTERS,
  PREPROCESSINGS,
  RESIZE_METHODS,
  type DatasetManifest,
  type ExportEvaluation,
  type ExportMetadata,
  type ExportPreprocessing,
  type ExportedModel,
  type FeatureSpec,
  type HeadInfo,
  type WeightsInfo,
} from '../../src/shared/protocol/index.ts';
import {MIN_INPUT_SIZE} from '../model/vgg16-layout.ts';
import {PREPROCESSING_RULES} from '../model/preprocess.ts';
import type {CheckpointManifest} from '../training/checkpoint-store.ts';

export interface MetadataFacts {
  model: ExportedModel;
  /** How the model's inputs were made: size, resize, preprocessing. */
  spec: FeatureSpec;
  weights: WeightsInfo;
  params: number;
  manifest: DatasetManifest;
  /** The head (its settings), when known. */
  head: HeadInfo | null;
  /** The fine-tuning run, for the fine-tuned model. */
  fineTune: CheckpointManifest | null;
  evaluation: ExportEvaluation | null;
  exportedAt: Date;
}

/** metadata.json for an export. */
export function buildMetadata(facts: MetadataFacts): ExportMetadata {
  const {spec, manifest, head, fineTune, evaluation} = facts;
  const classes = manifest.classes;
  const binary = classes.length === 2;
  return {
    format: EXPORT_FORMAT,
    schemaVersion: EXPORT_SCHEMA_VERSION,
    model: facts.model,
    exportedAt: facts.exportedAt.toISOString(),
    app: {name: APP_NAME, version: APP_VERSION},
    files: {tfjs: EXPORT_FILES.tfjs, keras: EXPORT_FILES.keras},
    classes: [...classes],
    output: binary
      ? {units: 1, activation: 'sigmoid', meaning: `The probability of "${classes[1]}"; "${classes[0]}" has 1 − p. Predicted: "${classes[1]}" when p ≥ 0.5.`}
      : {units: classes.length, activation: 'softmax', meaning: 'One probability per class, in the order of `classes`; predicted: the largest.'},
    input: {height: spec.inputSize, width: spec.inputSize, channels: 3, layout: 'NHWC', dtype: 'float32'},
    preprocessing: preprocessingOf(spec),
    backbone: {label: facts.weights.label, weightsId: facts.weights.id, widths: [...facts.weights.widths], params: facts.params},
    training: {
      head: head && {seed: head.seed, options: head.options ?? null, trainedAt: new Date(head.trainedAt).toISOString()},
      fineTune: fineTune && {options: fineTune.options, epochs: fineTune.epoch, history: fineTune.history, savedAt: new Date(fineTune.savedAt).toISOString()},
    },
    dataset: {id: manifest.id, name: manifest.name, counts: manifest.counts, split: manifest.split},
    evaluation: evaluation && {
      split: evaluation.split,
      loss: evaluation.loss,
      accuracy: evaluation.accuracy,
      confusion: evaluation.confusion,
      perClass: evaluation.perClass,
    },
  };
}

/** What to do to an RGB image before the model, as the app did it. */
export function preprocessingOf(spec: Pick<FeatureSpec, 'inputSize' | 'resize' | 'preprocessing'>): ExportPreprocessing {
  const rule = PREPROCESSING_RULES[spec.preprocessing];
  const scale = spec.preprocessing === 'rescale' ? ' / 255' : '';
  return {
    decode: {exifOrientation: 'applied', grey: 'replicated to RGB', alpha: 'dropped'},
    resize: {method: spec.resize, pil: PIL_FILTERS[spec.resize], width: spec.inputSize, height: spec.inputSize, keepAspectRatio: false},
    mode: spec.preprocessing,
    channelOrder: rule.channelOrder,
    mean: [...rule.mean],
    scale: rule.scale,
    formula:
      `x = (float32(${rule.channelOrder === 'BGR' ? 'rgb[..., ::-1]' : 'rgb'}) − [${rule.mean.join(', ')}])${scale}, ` +
      `rgb: uint8 [height, width, 3] after Image.resize((${spec.inputSize}, ${spec.inputSize}), Image.${PIL_FILTERS[spec.resize]})`,
  };
}

/**
 * Reads metadata.json back: another program's JSON is not an export,
 * another schema version is named as such, and what predicting needs
 * (classes, input, preprocessing) must be there and make sense.
 */
export function parseMetadata(text: string): ExportMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw damaged(`metadata.json is not valid JSON (${(err as Error).message})`);
  }
  const m = json as Partial<ExportMetadata> | null;
  if (typeof m !== 'object' || m === null || m.format !== EXPORT_FORMAT) {
    throw new NamedError(ErrorName.NotAnExport, `This zip's metadata.json does not describe a Transfer Lab model (no "format": "${EXPORT_FORMAT}").`);
  }
  if (m.schemaVersion !== EXPORT_SCHEMA_VERSION) {
    throw new NamedError(
      ErrorName.ExportVersion,
      `This export has metadata schema ${JSON.stringify(m.schemaVersion)}; this version of Transfer Lab reads schema ${EXPORT_SCHEMA_VERSION}. Open it with the version that made it (${JSON.stringify(m.app?.version ?? 'unknown')}).`,
      {schemaVersion: m.schemaVersion},
    );
  }
  const problems: string[] = [];
  const classes = m.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) problems.push('"classes" must list at least two class names');
  if (m.model !== 'head' && m.model !== 'fine-tuned') problems.push('"model" must be "head" or "fine-tuned"');
  const size = m.input?.height;
  if (!Number.isInteger(size) || size! < MIN_INPUT_SIZE || m.input?.width !== size) problems.push(`"input" must be square, at least ${MIN_INPUT_SIZE} pixels`);
  if (!PREPROCESSINGS.includes(m.preprocessing?.mode as never)) problems.push(`"preprocessing.mode" must be one of ${PREPROCESSINGS.join(', ')}`);
  if (!RESIZE_METHODS.includes(m.preprocessing?.resize?.method as never)) problems.push(`"preprocessing.resize.method" must be one of ${RESIZE_METHODS.join(', ')}`);
  if (problems.length > 0) throw damaged(`metadata.json is incomplete: ${problems.join('; ')}`);
  return m as ExportMetadata;
}

function damaged(message: string): NamedError {
  return new NamedError(ErrorName.ExportDamaged, `${message}.`, {code: 'metadata'});
}
