/**
 * The one contract between Lookalike's UI and its services. Electron IPC (main ↔ preload), the local server
 * (WebSocket) and the tests all speak it; channel names exist only here.
 */
import type { DatasetSummary, ImportProblem, ImportProgress, ImportResult, PairRow } from './catalog-types.ts';
import type { EpochRow, RunSummary, TrainProgress, TrainRequest } from './training-types.ts';
import type { FeedbackMark, QueryRequest, QueryResponse } from './query-types.ts';

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

/** Every request: `area:verb` → argument and result. */
export interface Requests {
  'app:info': { args: void; result: AppInfo };
  'datasets:list': { args: void; result: DatasetSummary[] };
  'datasets:pairs': { args: { datasetId: number }; result: PairRow[] };
  'datasets:problems': { args: { datasetId: number }; result: ImportProblem[] };
  /** Starts an import; progress and the outcome arrive as `import:*` events carrying the returned jobId. */
  'datasets:import': { args: { folder: string; name?: string }; result: { jobId: string } };
  'datasets:cancelImport': { args: { jobId: string }; result: void };
  /** Asks the user for a folder (a native dialog in the app; null where there is none). */
  'dialog:pickFolder': { args: void; result: string | null };
  /**
   * The compute backend, as the one line the CLI prints. Asked in the main process by the same rules the training
   * worker follows (the worker's own line arrives as a `training:log` event when a run starts).
   */
  'training:backend': { args: void; result: { line: string } };
  /** Starts training in the worker; progress arrives as `training:*` events with the returned jobId. */
  'training:start': { args: { datasetId: number; request: TrainRequest }; result: { jobId: string } };
  'training:resume': { args: { runId: number }; result: { jobId: string } };
  'training:cancel': { args: { jobId: string }; result: void };
  'runs:list': { args: { datasetId?: number }; result: RunSummary[] };
  'runs:get': { args: { runId: number }; result: RunSummary };
  /** Ranks the catalog's images by similarity to one image (embedding the catalog for the run first if needed). */
  'query:run': { args: QueryRequest; result: QueryResponse };
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
  'query:progress': { done: number; total: number };
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

/** The request names, for transports that must list them (the preload, the server). */
export const REQUEST_NAMES = [
  'app:info',
  'datasets:list',
  'datasets:pairs',
  'datasets:problems',
  'datasets:import',
  'datasets:cancelImport',
  'dialog:pickFolder',
  'training:backend',
  'training:start',
  'training:resume',
  'training:cancel',
  'runs:list',
  'runs:get',
  'query:run',
  'feedback:mark',
  'dialog:pickImage',
] as const satisfies readonly RequestName[];

export const EVENT_NAMES = [
  'import:progress',
  'import:done',
  'import:failed',
  'training:run',
  'training:progress',
  'training:log',
  'training:epoch',
  'training:done',
  'training:failed',
  'query:progress',
] as const satisfies readonly EventName[];

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

