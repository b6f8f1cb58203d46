/**
 * Library entry: defines and exports every Transfer Lab element, for
 * embedding in course sites, and the client for driving the worker.
 */
export {TlPlayground} from './components/tl-playground/tl-playground.ts';
export {TlBackendStatus, type BackendChangeDetail} from './components/tl-backend-status/tl-backend-status.ts';
export {TlWeightsStatus} from './components/tl-weights-status/tl-weights-status.ts';
export {TlDatasetDrop} from './components/tl-dataset-drop/tl-dataset-drop.ts';
export {TlDatasetSummary} from './components/tl-dataset-summary/tl-dataset-summary.ts';
export {TlGallery} from './components/tl-gallery/tl-gallery.ts';
export {TlProgress} from './components/tl-progress/tl-progress.ts';
export {TlCurves} from './components/tl-curves/tl-curves.ts';
export {TlTrainingPanel} from './components/tl-training-panel/tl-training-panel.ts';
export {TlConfusion, type ConfusionCell} from './components/tl-confusion/tl-confusion.ts';
export {TlResults} from './components/tl-results/tl-results.ts';
export {TlAugmentPreview} from './components/tl-augment-preview/tl-augment-preview.ts';
export type {CurveRun} from './state/curves.ts';
export {TrainerClient, type JobOptions} from './client/trainer-client.ts';
export {ErrorName, hasErrorName} from './shared/errors.ts';
export type * from './shared/protocol.ts';
