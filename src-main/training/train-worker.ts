/**
 * Worker-thread entry: runs one training job on its own catalog connection and reports through messages, so
 * the process that started it (the app's main process, the CLI, the server) never blocks on tensor maths.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCatalog } from '../catalog/open-catalog.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import { resumeRun, trainNewRun, type TrainHooks } from './train-run.ts';
import type { ToWorker, FromWorker, WorkerJob } from './train-worker-messages.ts';

const port = parentPort!;
const { catalogPath, job } = workerData as { catalogPath: string; job: WorkerJob };
const controller = new AbortController();
const send = (m: FromWorker) => port.postMessage(m);
port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') controller.abort(new Error('cancelled'));
});

const hooks: TrainHooks = {
  signal: controller.signal,
  log: (line) => send({ type: 'log', line }),
  onProgress: (progress) => send({ type: 'progress', progress }),
  onEpoch: (runId, row) => send({ type: 'epoch', runId, row }),
  onRunCreated: (runId) => send({ type: 'run', runId }),
  weights: job.weights && { ...job.weights, onDownload: (p) => send({ type: 'log', line: `downloading weights: ${p.receivedBytes}/${p.totalBytes ?? '?'} bytes` }) },
};

const db = openCatalog(catalogPath);
try {
  const run = job.kind === 'new' ? await trainNewRun(db, job.dataset, job.request, hooks) : await resumeRun(db, job.runId, hooks);
  send({ type: 'done', run });
} catch (e) {
  send({ type: 'error', error: toBridgeError(e) });
} finally {
  db.close();
  port.close();
}
