import {ErrorName, NamedError} from '../../src/shared/errors.ts';
import {formatBytes} from '../../src/shared/format.ts';
import type {FeatureSpec, Progress, ProjectOpened, ProjectSaved, ProjectSaveRequest} from '../../src/shared/protocol/index.ts';
import {APP_VERSION} from '../../src/shared/version.ts';
import {featureKey, readFeatures, writeFeatures} from '../features/feature-cache.ts';
import {featureShapeFor} from '../model/vgg16-layout.ts';
import {readProjectFile, writeProjectFile, PROJECT_FORMAT, PROJECT_SCHEMA, type ProjectContents} from '../project/project-file.ts';
import {progressReporter, type Listener} from '../runtime/progress.ts';
import type {Session} from '../session/session.ts';
import {checkpointInfo} from '../training/checkpoint-store.ts';
import {headFromStored, putStoredHead, storedHeadOf} from '../training/head-store.ts';

/** Features go back into the cache in batches this big: one transaction each. */
const FEATURE_BATCH = 256;

/** Saving the whole project to one file, and opening one: the dataset, the trained models, the cached features, the page. */
export function createProjectService(session: Session) {
  return {
    /**
     * Writes the project: the dataset zip as dropped, the trained head, the
     * current fine-tuning checkpoint, the cached features of the head's spec
     * (or `features` given), and the page's settings, curves and results.
     * Into `target` (a file the user picked, or one in the origin's private
     * file system) when given: a full disk aborts the write and leaves the
     * file as it was. Else the project comes back as a Blob.
     */
    save(jobId: string, request: ProjectSaveRequest & {features?: FeatureSpec}, onEvent?: Listener<Progress>): Promise<ProjectSaved> {
      return session.job(jobId, onEvent, async (signal) => {
        const manifest = session.requireDataset('saving a project');
        const source = session.dataset.source()!;
        const slot = await session.trainedHead();
        const head = slot && slot.info.datasetId === manifest.id ? slot : null;
        const checkpoint = await session.checkpoints.load(session.fineTuneRun(manifest.id));
        const fineTuned = checkpoint?.manifest.datasetId === manifest.id ? checkpoint : null;
        const spec = head?.info.spec ?? request.features ?? null;
        let features: {spec: FeatureSpec; hashes: string[]; data: Float32Array[]} | null = null;
        if (spec) {
          const hashes = [...new Set(manifest.images.map((image) => image.hash))];
          const read = await readFeatures(hashes.map((hash) => featureKey(spec, hash)));
          const present = hashes.flatMap((hash, i) => (read[i] ? [{hash, data: read[i]!}] : []));
          if (present.length > 0) features = {spec, hashes: present.map((p) => p.hash), data: present.map((p) => p.data)};
        }
        const {weights: headWeights = null, ...headRecord} = head
          ? await storedHeadOf(head.model, {...head.info, featureShape: featureShapeFor(head.info.spec.inputSize, head.info.spec.channels)})
          : {};
        const contents: ProjectContents = {
          record: {
            format: PROJECT_FORMAT,
            schema: PROJECT_SCHEMA,
            appVersion: APP_VERSION,
            savedAt: Date.now(),
            dataset: {name: source.name, id: manifest.id, options: source.options},
            weights: request.weights,
            page: request.page,
            head: headWeights ? (headRecord as NonNullable<ProjectContents['record']['head']>) : null,
            checkpoint: fineTuned?.manifest ?? null,
            features: features && {spec: features.spec, hashes: features.hashes},
          },
          dataset: source.zip,
          headWeights,
          checkpoint: fineTuned && {weights: fineTuned.weights, optimizer: fineTuned.optimizer},
          features: features?.data ?? null,
        };
        const report = progressReporter('project', onEvent);
        const onBytes = (done: number, total: number) => report(done, total, {stage: 'write'});
        const blob = request.target ? await writeToFile(request.target, contents, signal, onBytes) : await writeProjectFile(contents, null, {signal, onBytes});
        return {
          ...(blob ? {blob} : {}),
          bytes: blob?.size ?? (await request.target!.getFile()).size,
          contents: {
            images: manifest.images.length,
            features: features?.hashes.length ?? 0,
            head: head !== null,
            fineTunedEpoch: fineTuned?.manifest.epoch ?? null,
          },
        };
      });
    },

    /**
     * Opens a project: imports its dataset (with the split it was saved
     * with), puts its features back in the cache, and its head and
     * fine-tuning checkpoint in place, so every step goes on from there. A
     * head or checkpoint made for another split (the dataset id differs) is
     * left out, and `notes` says so.
     */
    open(jobId: string, {file}: {file: Blob}, onEvent?: Listener<Progress>): Promise<ProjectOpened> {
      return session.job(jobId, onEvent, async (signal) => {
        const report = progressReporter('project', onEvent);
        report(0, file.size, {stage: 'read'});
        const project = await readProjectFile(file, {signal});
        const {record} = project;
        const manifest = await session.dataset.importZip(project.dataset, record.dataset.name, record.dataset.options, {signal});
        const notes: string[] = [];
        const sameSplit = manifest.id === record.dataset.id;
        if (!sameSplit) {
          notes.push('This version of the app draws the dataset (or its split) differently from the one that saved the project: its head and fine-tuned weights were left out, so no test image leaks into training. Train them again.');
        }

        let features: ProjectOpened['features'] = null;
        if (record.features && project.features) {
          const {spec, hashes} = record.features;
          const entries = hashes.map((hash, i): [string, Float32Array] => [featureKey(spec, hash), project.features![i]!]);
          for (let start = 0; start < entries.length; start += FEATURE_BATCH) await writeFeatures(entries.slice(start, start + FEATURE_BATCH));
          features = {spec, count: hashes.length};
        }

        let head: ProjectOpened['head'] = null;
        if (record.head && project.headWeights && sameSplit) {
          await session.onBackend('inference');
          const stored = {...record.head, weights: project.headWeights};
          const rebuilt = headFromStored(stored);
          session.setHead({model: rebuilt.model, info: {...rebuilt.info, restored: true}});
          head = {...rebuilt.info, restored: true};
          // Kept for the next visit too; without room it still works in this one.
          await putStoredHead(stored).catch((err) => notes.push(`The head works now but could not be kept for the next visit (${(err as Error).name}).`));
        }

        let checkpoint: ProjectOpened['checkpoint'] = null;
        if (record.checkpoint && project.checkpoint && sameSplit) {
          const {runId, schema: _schema, savedAt: _savedAt, ...saved} = record.checkpoint;
          try {
            await session.checkpoints.run(runId).save({manifest: saved, ...project.checkpoint});
            session.setFineTuneRun(manifest.id, runId);
            checkpoint = checkpointInfo(record.checkpoint);
          } catch (err) {
            if ((err as Error).name !== ErrorName.StorageQuota) throw err;
            const bytes = project.checkpoint.weights.reduce((sum, t) => sum + t.data.byteLength, 0) * 2;
            notes.push(`The fine-tuned weights need about ${formatBytes(bytes)} that this browser has no room for: free some space and open the project again to evaluate or resume them.`);
          }
        }
        report(file.size, file.size, {stage: 'read'});
        return {manifest, head, checkpoint, features, weights: record.weights, page: record.page, savedAt: record.savedAt, appVersion: record.appVersion, notes};
      });
    },
  };
}

/**
 * Writes the project into a file handle. File System Access writes go to a
 * temporary copy that replaces the file only on close; a failure aborts it,
 * so the file saved before stays as it was.
 */
async function writeToFile(target: FileSystemFileHandle, contents: ProjectContents, signal: AbortSignal, onBytes: (done: number, total: number) => void): Promise<null> {
  const file = await target.createWritable().catch((err: Error) => {
    throw quotaAware(err, contents);
  });
  // Our own stream over the file, so the file stays unlocked and can be aborted whatever the zip writer did.
  const sink = new WritableStream<Uint8Array>({write: (chunk) => file.write(chunk as BufferSource)});
  try {
    await writeProjectFile(contents, sink, {signal, onBytes});
    await file.close();
    return null;
  } catch (err) {
    await file.abort().catch(() => {});
    throw quotaAware(err, contents);
  }
}

function quotaAware(err: unknown, contents: ProjectContents): unknown {
  if ((err as Error)?.name !== 'QuotaExceededError') return err;
  const bytes = contents.dataset.size + (contents.features?.reduce((sum, f) => sum + f.byteLength, 0) ?? 0);
  return new NamedError(
    ErrorName.StorageQuota,
    `There is no room for the project file (about ${formatBytes(bytes)}); nothing was written over the file saved before. Free some space, or save it elsewhere.`,
  );
}
