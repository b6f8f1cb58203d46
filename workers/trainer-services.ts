import {cancelJob} from './runtime/jobs.ts';
import {createDatasetService} from './services/dataset-service.ts';
import {createEvaluationService} from './services/evaluation-service.ts';
import {createExportService} from './services/export-service.ts';
import {createExplainService} from './services/explain-service.ts';
import {createFeaturesService} from './services/features-service.ts';
import {createFineTuneService} from './services/fine-tune-service.ts';
import {createHeadService} from './services/head-service.ts';
import {createProjectService} from './services/project-service.ts';
import {createRuntimeService} from './services/runtime-service.ts';
import {createStorageService} from './services/storage-service.ts';
import {createWebcamService} from './services/webcam-service.ts';
import {createWeightsService} from './services/weights-service.ts';
import {Session} from './session/session.ts';
import {FrameStore} from './webcam/frame-store.ts';

/**
 * The worker's API: one service per step over one shared session. Plain
 * functions apart from Comlink's `transfer` for big results, so tests can
 * call them directly or over a MessageChannel.
 *
 * Every long call is a job with one shape: `(jobId, request, onEvent?)`;
 * `jobs.cancel(jobId)` stops it at its next batch boundary.
 */
export function createTrainerServices() {
  const session = new Session();
  // One queue for the webcam's frames: a deletion from the storage list waits for a capture being written.
  const frames = new FrameStore();
  return {
    runtime: createRuntimeService(session),
    weights: createWeightsService(session),
    dataset: createDatasetService(session),
    features: createFeaturesService(session),
    head: createHeadService(session),
    fineTune: createFineTuneService(session),
    evaluation: createEvaluationService(session),
    explain: createExplainService(session),
    project: createProjectService(session),
    export: createExportService(session),
    storage: createStorageService(session, frames),
    webcam: createWebcamService(session, frames),
    jobs: {
      /** Asks a job to stop at its next batch boundary (or before it starts, if queued). */
      cancel: (jobId: string): boolean => cancelJob(jobId),
    },
  };
}

export type TrainerServices = ReturnType<typeof createTrainerServices>;
