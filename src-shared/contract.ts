/**
 * The one contract between Lookalike's UI and its services. Electron IPC (main ↔ preload), the local server
 * (WebSocket) and the tests all speak it; channel names exist only here.
 */
import type { DatasetSummary, ImportProblem, ImportProgress, ImportResult, PairRow } from './catalog-types.ts';
import type { EpochRow, RunSummary, TrainProgress, TrainRequest } from './training-types.ts';
import type { FeedbackMark, QueryRequest, QueryResponse } from './query-types.ts';
import type { JobInfo, JobKind, JobState } from './job-types.ts';
import type { DatasetRemoval, RunRemoval } from './upkeep-types.ts';
import type { RunTask, RunTaskProgress, RunTaskResult } from './run-task-types.ts';
import type { BatchExportFormat, BatchProgress, BatchQueryRequest, BatchResult } from './batch-types.ts';
import type { BackboneId, FeatureRecipeId, TrainMode } from './train-options.ts';

/** What the app tells the UI about itself. */
export interface AppInfo {
  version: string;
  /** Where the catalog file is. */
  catalogPath: string;
  /** The transport the UI is talking through. */
  transport: 'electron' | 'web';
  /** The embedded sample dataset's folder, for "import the sample" (absent when not shipped). */
  samplePath?: string;
}

/**
 * What a training's one-time feature extraction will cost, before it starts (head and partial mode run the frozen
 * backbone over every image once and cache the result; finetune extracts nothing ahead).
 */
export interface FeatureEstimate {
  /** Whether this mode extracts features ahead at all (false: finetune). */
  extracts: boolean;
  /** Distinct images of the dataset's pairs. */
  images: number;
  /** Of those, how many have no cached features for the extractor the training would use. */
  uncached: number;
  /**
   * Synthetic look-alikes the run makes (look-alikes per logo × training logos): their features are computed too,
   * unless an earlier run made and cached the very same ones, which is not known before they are made.
   */
  synthetic: number;
  /**
   * Seconds per image measured by this process on its latest extraction with the same backbone, recipe and mode;
   * null until one has run (the estimate is then unknown until the extraction starts).
   */
  secondsPerImage: number | null;
  /** What the measurement was taken on ("mobilenetv2 · final · head"), when there is one. */
  measuredOn: string | null;
}

/** What a training on a dataset will have to work with, before it starts: the training form's warnings and estimate. */
export interface TrainingEstimate {
  /** The dataset's pairs per split, as its imports split them (what the run trains, validates and tests on). */
  splits: { train: number; val: number; test: number };
  /** Fewest val pairs a calibrated match threshold needs (calibration-policy.ts MIN_CALIBRATION_PAIRS). */
  minCalibrationPairs: number;
  /**
   * How many more pairs a re-import of the folder would have to bring, split as the importer splits new pairs,
   * before val reaches `minCalibrationPairs`; 0 when it has.
   */
  morePairsToCalibrate: number;
  features: FeatureEstimate;
}

/** Every request: `area:verb` → argument and result. */
export interface Requests {
  'app:info': { args: void; result: AppInfo };
  /**
   * The page listens now: events that waited for it (sent before it loaded, or while it reloaded) are delivered.
   * The desktop app queues events until then; the local server delivers them to each page as it connects.
   */
  'renderer:ready': { args: void; result: void };
  /** The jobs that have not ended (running, and queued trainings), oldest first: what a reloaded page reattaches to. */
  'jobs:list': { args: void; result: JobInfo[] };
  /** Cancels a job of any kind, queued or running; its end arrives as its area's events. Unknown ids are ignored. */
  'jobs:cancel': { args: { jobId: string }; result: void };
  'datasets:list': { args: void; result: DatasetSummary[] };
  'datasets:pairs': { args: { datasetId: number }; result: PairRow[] };
  'datasets:problems': { args: { datasetId: number }; result: ImportProblem[] };
  /** Starts an import; progress and the outcome arrive as `import:*` events carrying the returned jobId. */
  'datasets:import': { args: { folder: string; name?: string }; result: { jobId: string } };
  'datasets:cancelImport': { args: { jobId: string }; result: void };
  /** What removing the dataset would remove (counts), for a confirmation; removes nothing. */
  'datasets:removalPreview': { args: { datasetId: number }; result: DatasetRemoval };
  /**
   * Removes a dataset with its pairs, runs, saved models, catalog vectors, cached features, the images no other
   * dataset uses and the look-alikes made from them, in one transaction. The folder's files are never touched.
   * Refused (`IN_USE_BY_JOB`, `CATALOG_BUSY`) while an import, training or query uses it.
   */
  'datasets:remove': { args: { datasetId: number }; result: DatasetRemoval };
  /** Renames a dataset (`DATASET_NAME_TAKEN`, `DATASET_NAME_MISSING`, `BAD_NAME` for a name it cannot take). */
  'datasets:rename': { args: { datasetId: number; name: string }; result: { id: number; oldName: string; name: string } };
  /** Asks the user for a folder (a native dialog in the app; null where there is none). */
  'dialog:pickFolder': { args: void; result: string | null };
  /**
   * The compute backend training uses, as the one line the CLI prints: asked of a short-lived training worker, so
   * it is the worker's own choice and tfjs never loads into the main process or the server.
   */
  'training:backend': { args: void; result: { line: string } };
  /**
   * Starts training in the worker; progress arrives as `training:*` events with the returned jobId. Trainings run
   * one at a time: while another one runs, this one is `queued` (a `jobs:state` event says when it starts).
   */
  'training:start': { args: { datasetId: number; request: TrainRequest }; result: { jobId: string; state: 'queued' | 'running' } };
  'training:resume': { args: { runId: number }; result: { jobId: string; state: 'queued' | 'running' } };
  'training:cancel': { args: { jobId: string }; result: void };
  /**
   * Before a training starts: the dataset's splits and whether val is big enough to calibrate a threshold, and how
   * many images these settings must run through the backbone before the first epoch, at the time per image
   * measured here last time. Unset settings are the trainer's choice (either backbone, head mode).
   */
  'training:estimate': {
    args: { datasetId: number; backbone?: BackboneId; features?: FeatureRecipeId; mode?: TrainMode; augment?: number };
    result: TrainingEstimate;
  };
  'runs:list': { args: { datasetId?: number }; result: RunSummary[] };
  'runs:get': { args: { runId: number }; result: RunSummary };
  /** What removing the run would remove (counts), for a confirmation; removes nothing. */
  'runs:removalPreview': { args: { runId: number }; result: RunRemoval };
  /**
   * Starts a run page job in its worker: a held-out evaluation on a paired folder (the run beside pHash and the
   * untrained backbone; nothing is imported), the HTML report, or the export (written under `<catalog>.d/` unless
   * `outDir` names a folder). `runs:taskProgress`, then `runs:taskDone` or `runs:taskFailed`; `jobs:cancel` stops it.
   */
  'runs:task': { args: RunTask; result: { jobId: string } };
  /** Removes a run: epochs, saved model, catalog vectors, the look-alikes only it used. Refused while a job uses it. */
  'runs:remove': { args: { runId: number }; result: RunRemoval };
  /**
   * Names a run (shown beside its number; runs are still found by number). An empty name removes it. `BAD_NAME`
   * for one over 200 characters or with control characters. Allowed while the run trains.
   */
  'runs:rename': { args: { runId: number; name: string }; result: { id: number; oldName: string | null; name: string | null } };
  /**
   * Starts ranking the catalog's images by similarity to one image (embedding the catalog for the run first if
   * needed); the answer arrives as `query:done` (or `query:failed`) with the returned jobId. `jobs:cancel` stops it.
   */
  'query:start': { args: QueryRequest; result: { jobId: string } };
  /**
   * Starts a batch query: every image of the inputs (files, folders, uploaded bytes) against the catalog with one
   * run. `query:batchProgress` per file, then `query:batchDone` (or `query:batchFailed`) with the returned jobId;
   * `jobs:cancel` stops it between files. Files that cannot be used are listed in the result, never fatal.
   */
  'query:batch': { args: BatchQueryRequest; result: { jobId: string } };
  /** A finished batch's result again (a reloaded page), kept for the last few batches; `BATCH_NOT_FOUND` otherwise. */
  'query:batchResult': { args: { jobId: string }; result: BatchResult };
  /**
   * A finished batch as a file to save: CSV (one row per query image and hit) or a self-contained HTML page with
   * the thumbnails inlined.
   */
  'query:batchExport': { args: { jobId: string; format: BatchExportFormat }; result: { fileName: string; mimeType: string; text: string } };
  /** Marks a result "match" / "not a match"; stored for the next training run. Marking again replaces; null clears. */
  'feedback:mark': { args: Omit<FeedbackMark, 'verdict'> & { verdict: FeedbackMark['verdict'] | null }; result: void };
  /** Asks the user for an image file (a native dialog in the app; null where there is none). */
  'dialog:pickImage': { args: void; result: string | null };
}

/** Every event from the services to the UI, each carrying the id of the job it belongs to. */
export interface Events {
  'import:progress': { jobId: string } & ImportProgress;
  'import:done': { jobId: string; result: ImportResult };
  'import:failed': { jobId: string; error: BridgeError };
  /** The run of a training job exists in the catalog. */
  'training:run': { jobId: string; runId: number };
  'training:progress': { jobId: string; progress: TrainProgress };
  'training:log': { jobId: string; line: string };
  'training:epoch': { jobId: string; runId: number; row: EpochRow };
  'training:done': { jobId: string; run: RunSummary };
  'training:failed': { jobId: string; error: BridgeError };
  /** A query is embedding catalog images it has no vectors for yet (a run's first query). */
  'query:progress': { jobId: string; done: number; total: number };
  'query:done': { jobId: string; response: QueryResponse };
  'query:failed': { jobId: string; error: BridgeError };
  /** A batch query moved on to its next file. */
  'query:batchProgress': { jobId: string } & BatchProgress;
  'query:batchDone': { jobId: string; result: BatchResult };
  'query:batchFailed': { jobId: string; error: BridgeError };
  'runs:taskProgress': { jobId: string } & RunTaskProgress;
  'runs:taskDone': { jobId: string; result: RunTaskResult };
  'runs:taskFailed': { jobId: string; error: BridgeError };
  /** A job changed state: queued, running, or ended (its area's done/failed event says how, with the details). */
  'jobs:state': { jobId: string; kind: JobKind; state: JobState };
}

export type RequestName = keyof Requests;
export type EventName = keyof Events;
export type ArgsOf<K extends RequestName> = Requests[K]['args'];
export type ResultOf<K extends RequestName> = Requests[K]['result'];

/** An error as data, so it survives structured cloning and JSON; `code` is what the UI acts on. */
export interface BridgeError {
  code: string;
  message: string;
}

/** How every request's outcome crosses a bridge. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

// Written as records so that the compiler refuses a name left out (or one that is not in the contract): a list
// typed `RequestName[]` accepted a missing name, which then failed only at run time.
const REQUEST_SET: Record<RequestName, true> = {
  'app:info': true,
  'renderer:ready': true,
  'jobs:list': true,
  'jobs:cancel': true,
  'datasets:list': true,
  'datasets:pairs': true,
  'datasets:problems': true,
  'datasets:import': true,
  'datasets:cancelImport': true,
  'datasets:removalPreview': true,
  'datasets:remove': true,
  'datasets:rename': true,
  'dialog:pickFolder': true,
  'training:backend': true,
  'training:start': true,
  'training:resume': true,
  'training:cancel': true,
  'training:estimate': true,
  'runs:list': true,
  'runs:get': true,
  'runs:removalPreview': true,
  'runs:task': true,
  'runs:remove': true,
  'runs:rename': true,
  'query:start': true,
  'query:batch': true,
  'query:batchResult': true,
  'query:batchExport': true,
  'feedback:mark': true,
  'dialog:pickImage': true,
};

const EVENT_SET: Record<EventName, true> = {
  'import:progress': true,
  'import:done': true,
  'import:failed': true,
  'training:run': true,
  'training:progress': true,
  'training:log': true,
  'training:epoch': true,
  'training:done': true,
  'training:failed': true,
  'query:progress': true,
  'query:done': true,
  'query:failed': true,
  'query:batchProgress': true,
  'query:batchDone': true,
  'query:batchFailed': true,
  'runs:taskProgress': true,
  'runs:taskDone': true,
  'runs:taskFailed': true,
  'jobs:state': true,
};

/** Every request name, for transports that must list them (the preload, the server). */
export const REQUEST_NAMES = Object.keys(REQUEST_SET) as readonly RequestName[];

/** Every event name. */
export const EVENT_NAMES = Object.keys(EVENT_SET) as readonly EventName[];

/** Turns any thrown value into a BridgeError, keeping a `code` when the error has one. */
export function toBridgeError(e: unknown): BridgeError {
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof err?.code === 'string' ? err.code : err?.name === 'AbortError' ? 'CANCELLED' : 'INTERNAL';
  return { code, message: typeof err?.message === 'string' ? err.message : String(e) };
}

/** The error a UI throws when a Reply is not ok: the code stays readable. */
export class RemoteError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Unwraps a Reply: the value, or a RemoteError with the same code. */
export function unwrap<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw new RemoteError(reply.error.code, reply.error.message);
}

