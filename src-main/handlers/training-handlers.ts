import { randomUUID } from 'node:crypto';
import { getRun, listRuns } from '../catalog/runs.ts';
import { trainInWorker } from '../training/train-in-worker.ts';
import type { WorkerJob } from '../training/train-worker-messages.ts';
import { describeBackend, initBackend } from '../ml/backend.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';

type TrainingHandlers = Pick<Handlers, 'training:backend' | 'training:start' | 'training:resume' | 'training:cancel' | 'runs:list' | 'runs:get'>;

/** The training area: jobs run in the training worker and report through `training:*` events. */
export function trainingHandlers(ctx: ServiceContext): TrainingHandlers {
  const running = new Map<string, AbortController>();
  const start = (job: WorkerJob) => {
    const jobId = randomUUID();
    const controller = new AbortController();
    running.set(jobId, controller);
    trainInWorker(ctx.catalogPath, job, {
      signal: controller.signal,
      log: (line) => ctx.emit('training:log', { jobId, line }),
      onRunCreated: (runId) => ctx.emit('training:run', { jobId, runId }),
      onProgress: (progress) => ctx.emit('training:progress', { jobId, progress }),
      onEpoch: (runId, row) => ctx.emit('training:epoch', { jobId, runId, row }),
    })
      .then((run) => ctx.emit('training:done', { jobId, run }))
      .catch((e) => ctx.emit('training:failed', { jobId, error: toBridgeError(e) }))
      .finally(() => running.delete(jobId));
    return { jobId };
  };
  return {
    // The worker picks the same backend by the same rules; asking here too is cheap (memoised) and lets the UI
    // show it before any training starts.
    'training:backend': async () => ({ line: describeBackend(await initBackend()) }),
    'training:start': ({ datasetId, request }) => start({ kind: 'new', dataset: datasetId, request }),
    'training:resume': ({ runId }) => start({ kind: 'resume', runId }),
    'training:cancel': ({ jobId }) => {
      running.get(jobId)?.abort();
    },
    'runs:list': ({ datasetId } = {}) => listRuns(ctx.db, { datasetId }),
    'runs:get': ({ runId }) => getRun(ctx.db, runId),
  };
}
