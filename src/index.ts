/**
 * Library entry: defines and exports every Transfer Lab element, for
 * embedding in course sites, and the lab and client for driving them from
 * code. The providers come first, so that steps inside them find their lab
 * as they upgrade.
 */
export {TlLab} from './components/tl-lab/tl-lab.ts';
export {TlPlayground} from './playground/tl-playground.ts';
export {TlDemo} from './steps/tl-demo/tl-demo.ts';
export {TlStepRuntime} from './steps/tl-step-runtime/tl-step-runtime.ts';
export {TlStepWeights} from './steps/tl-step-weights/tl-step-weights.ts';
export {TlStepData} from './steps/tl-step-data/tl-step-data.ts';
export {TlStepWebcam} from './steps/tl-step-webcam/tl-step-webcam.ts';
export {TlStepFeatures} from './steps/tl-step-features/tl-step-features.ts';
export {TlStepHead} from './steps/tl-step-head/tl-step-head.ts';
export {TlStepFineTune} from './steps/tl-step-fine-tune/tl-step-fine-tune.ts';
export {TlStepResults} from './steps/tl-step-results/tl-step-results.ts';
export {TlLivePredict} from './steps/tl-live-predict/tl-live-predict.ts';
export {TlStepExport} from './steps/tl-step-export/tl-step-export.ts';
export {TlStepProject} from './steps/tl-step-project/tl-step-project.ts';
export {TlStepStorage} from './steps/tl-step-storage/tl-step-storage.ts';
export {StepElement, type StepControls} from './steps/step-element.ts';
export {TlBackendStatus, type BackendChangeDetail} from './components/tl-backend-status/tl-backend-status.ts';
export {TlWeightsStatus} from './components/tl-weights-status/tl-weights-status.ts';
export {TlDatasetDrop} from './components/tl-dataset-drop/tl-dataset-drop.ts';
export {TlDatasetSummary} from './components/tl-dataset-summary/tl-dataset-summary.ts';
export {TlGallery, type GalleryHeat, type GalleryOpenDetail, type GalleryShownDetail} from './components/tl-gallery/tl-gallery.ts';
export {TlProgress} from './components/tl-progress/tl-progress.ts';
export {TlCurves} from './components/tl-curves/tl-curves.ts';
export {TlHeadPanel} from './components/tl-head-panel/tl-head-panel.ts';
export {TlConfusion, type ConfusionCell} from './components/tl-confusion/tl-confusion.ts';
export {TlResults, type HeatOpacityDetail, type HeatToggleDetail, type ResultsHeat} from './components/tl-results/tl-results.ts';
export {TlHeatMap} from './components/tl-heat-map/tl-heat-map.ts';
export {TlExplainView, type ExplainClassDetail} from './components/tl-explain-view/tl-explain-view.ts';
export {TlAugmentPreview} from './components/tl-augment-preview/tl-augment-preview.ts';
export {TlStorageNotice} from './components/tl-storage-notice/tl-storage-notice.ts';
export {Lab, type LabOptions} from './lab/lab.ts';
export {labContext} from './lab/lab-context.ts';
export {OfflineCopy, type OfflineState} from './lab/offline.ts';
export type {LabConfig} from './lab/lab-config.ts';
export type * from './lab/lab-events.ts';
export type {CurveRun} from './view-model/curves.ts';
export {TrainerClient, type JobOptions} from './client/trainer-client.ts';
export {ErrorName, hasErrorName} from './shared/errors.ts';
export type * from './shared/protocol/index.ts';
