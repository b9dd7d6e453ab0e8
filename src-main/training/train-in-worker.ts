import type { RunSummary } from '../../src-shared/training-types.ts';
import { openCatalog } from '../catalog/open-catalog.ts';
import { finishRun } from '../catalog/runs.ts';
import { runOwner } from '../catalog/run-owner.ts';
import type { TrainHooks } from './train-run.ts';
import type { FromWorker, TrainingJob } from './train-worker-messages.ts';
import { spawnTrainingWorker } from './spawn-training-worker.ts';

/** A worker's error, with the code the trainer gave it. */
export class TrainingError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Runs a training job (new or resume) in a worker thread, with the same hooks as {@link trainNewRun}: progress,
 * epochs and log lines arrive as callbacks, `hooks.signal` cancels between batches. Resolves with the run as
 * stored; rejects with a {@link TrainingError} carrying the trainer's code.
 */
export function trainInWorker(catalogPath: string, job: TrainingJob, hooks: Omit<TrainHooks, 'weights'> = {}): Promise<RunSummary> {
  const worker = spawnTrainingWorker(catalogPath, job);
  return new Promise<RunSummary>((resolve, reject) => {
    let settled = false;
    let runId: number | undefined;
    const onAbort = () => worker.postMessage({ type: 'cancel' });
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    if (hooks.signal?.aborted) onAbort();
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'log': return hooks.log?.(m.line);
        case 'progress': return hooks.onProgress?.(m.progress);
        case 'epoch': return hooks.onEpoch?.(m.runId, m.row);
        case 'run':
          runId = m.runId;
          return hooks.onRunCreated?.(m.runId);
        case 'done': return settle(() => resolve(m.run));
        case 'backend': return;
        case 'error': return settle(() => reject(new TrainingError(m.error.code, m.error.message)));
      }
    });
    const crashed = (message: string) =>
      settle(() => {
        // The worker could not record its own end (a wasm abort, an uncaught error): without this the run
        // would stay "running", owned by a process that is still alive, and could never be resumed.
        if (runId !== undefined) markCrashed(catalogPath, runId, message);
        reject(new TrainingError('WORKER_CRASHED', message));
      });
    worker.on('error', (e) => crashed(`training worker crashed: ${e.message}`));
    worker.on('exit', (code) => crashed(`training worker exited (code ${code}) without a result`));
  });
}

/** Marks a run whose worker died as failed, if it is still recorded as running in this process. */
function markCrashed(catalogPath: string, runId: number, message: string): void {
  const db = openCatalog(catalogPath);
  try {
    const row = runOwner(db, runId);
    if (row?.status === 'running' && row.pid === process.pid) finishRun(db, runId, 'failed', message);
  } finally {
    db.close();
  }
}
