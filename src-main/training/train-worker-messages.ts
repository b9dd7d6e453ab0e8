import type { BridgeError } from '../../src-shared/contract.ts';
import type { EpochRow, RunSummary, TrainProgress, TrainRequest } from '../../src-shared/training-types.ts';
import type { WeightsOptions } from '../model-store/load-backbone.ts';

/** What a training worker is asked to do. */
export type WorkerJob =
  | { kind: 'new'; dataset: string | number; request: TrainRequest; weights?: Omit<WeightsOptions, 'onDownload' | 'signal'> }
  | { kind: 'resume'; runId: number; weights?: Omit<WeightsOptions, 'onDownload' | 'signal'>; /** Take the run over even if its lease is live. */ force?: boolean }
  /** Only chooses the backend and says which (`training:backend`), then exits. */
  | { kind: 'backend' };

/** A job that trains (everything but the backend question). */
export type TrainingJob = Exclude<WorkerJob, { kind: 'backend' }>;

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'log'; line: string }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'epoch'; runId: number; row: EpochRow }
  | { type: 'run'; runId: number }
  | { type: 'done'; run: RunSummary }
  | { type: 'backend'; line: string }
  | { type: 'error'; error: BridgeError };
