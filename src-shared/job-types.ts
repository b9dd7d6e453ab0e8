/**
 * The jobs the services run for the UI (imports, trainings, queries), as `jobs:list` reports them, so that a
 * reloaded or second window can find what is running and reattach to its events by id.
 */
import type { ImportProgress } from './catalog-types.ts';
import type { TrainProgress } from './training-types.ts';
import type { BatchProgress } from './batch-types.ts';
import type { RunTaskProgress } from './run-task-types.ts';

/** The kinds of long tasks the job runner owns. */
export const JOB_KINDS = ['import', 'training', 'query', 'query-batch', 'run-task'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The last progress each kind reports (what its `*:progress` event carries). */
export interface JobProgressOf {
  import: ImportProgress;
  training: TrainProgress;
  /** How many catalog images a query has embedded, of how many (a run's first query). */
  query: { done: number; total: number };
  /** Files of a batch query done, of how many. */
  'query-batch': BatchProgress;
  /** A run page's evaluation, report or export: the step and how far it is. */
  'run-task': RunTaskProgress;
}

/** What a job is about, so the UI can put it next to the dataset or run it belongs to. */
export interface JobAbout {
  datasetId?: number;
  /** The run trained (known once the run exists) or queried. */
  runId?: number;
  /** The folder an import reads (or a held-out evaluation reads). */
  folder?: string;
  /** A run page's job: which of its three tasks, so a reloaded run page shows the right one running. */
  task?: 'evaluate' | 'report' | 'export';
}

/**
 * A job that has not ended. Trainings run one at a time: a second one waits as `queued` (cancellable) until the
 * first ends.
 */
export type JobInfo = {
  [K in JobKind]: {
    jobId: string;
    kind: K;
    state: 'queued' | 'running';
    /** When it was asked for (ISO 8601). */
    createdAt: string;
    /** When it began running (ISO 8601); null while queued. */
    startedAt: string | null;
    about: JobAbout;
    /** Its newest progress event's payload; null before the first. */
    progress: JobProgressOf[K] | null;
  };
}[JobKind];

/** Every state a job passes through; the last three are final. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
