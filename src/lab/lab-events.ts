import type {
  DatasetManifest,
  EpochLog,
  EvaluationResult,
  FeatureSpec,
  FineTuneResult,
  HeadResult,
  WeightsInfo,
} from '../shared/protocol/index.ts';

/** Which training a curve, an epoch or a result belongs to. */
export type TrainingPhase = 'head' | 'fine-tune';

export interface WeightsLoadedDetail {
  info: WeightsInfo;
}

export interface DatasetLoadedDetail {
  manifest: DatasetManifest;
  /** Kept from an earlier visit rather than imported now. */
  restored: boolean;
}

export interface FeaturesReadyDetail {
  spec: FeatureSpec;
  datasetId: string;
  /** How many came from the cache and how many were computed now (0 and 0 when restored). */
  fromCache: number;
  computed: number;
  restored: boolean;
}

export interface EpochEndDetail {
  phase: TrainingPhase;
  log: EpochLog;
}

export type TrainingDoneDetail = {phase: 'head'; result: HeadResult} | {phase: 'fine-tune'; result: FineTuneResult};

export interface EvaluatedDetail {
  result: EvaluationResult;
}

/**
 * The milestones a lab announces. The element that owns the lab
 * (<tl-lab>, <tl-playground>, or a step used alone) dispatches each as a
 * DOM CustomEvent that bubbles and is composed, so a course page can listen
 * on the element or on the document.
 */
export interface LabEventMap {
  'tl-weights-loaded': CustomEvent<WeightsLoadedDetail>;
  'tl-dataset-loaded': CustomEvent<DatasetLoadedDetail>;
  'tl-features-ready': CustomEvent<FeaturesReadyDetail>;
  'tl-epoch-end': CustomEvent<EpochEndDetail>;
  'tl-training-done': CustomEvent<TrainingDoneDetail>;
  'tl-evaluated': CustomEvent<EvaluatedDetail>;
}

export type LabEventName = keyof LabEventMap;
export type LabEventDetail<K extends LabEventName> = LabEventMap[K] extends CustomEvent<infer D> ? D : never;

export const LAB_EVENTS: readonly LabEventName[] = [
  'tl-weights-loaded',
  'tl-dataset-loaded',
  'tl-features-ready',
  'tl-epoch-end',
  'tl-training-done',
  'tl-evaluated',
];

declare global {
  interface GlobalEventHandlersEventMap extends LabEventMap {}
}
