/**
 * Worker-thread entry: runs one training job on its own catalog connection and reports through messages, so
 * the process that started it (the app's main process, the CLI, the server) never blocks on tensor maths.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCatalog } from '../catalog/open-catalog.ts';
import { adoptLegacyGeneratedFiles, generatedDir } from '../model-store/generated-files.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import { describeBackend, initBackend } from '../ml/backend.ts';
import { resumeRun, trainNewRun, type TrainHooks } from './train-run.ts';
import type { ToWorker, FromWorker, WorkerJob } from './train-worker-messages.ts';

const port = parentPort!;
const { catalogPath, job } = workerData as { catalogPath: string; job: WorkerJob };
const controller = new AbortController();
let lastDownloadLine = 0;
const send = (m: FromWorker) => port.postMessage(m);
port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') controller.abort(Object.assign(new Error('training cancelled'), { code: 'CANCELLED' }));
});

const hooks: TrainHooks = {
  signal: controller.signal,
  log: (line) => send({ type: 'log', line }),
  onProgress: (progress) => send({ type: 'progress', progress }),
  onEpoch: (runId, row) => send({ type: 'epoch', runId, row }),
  onRunCreated: (runId) => send({ type: 'run', runId }),
  weights: {
    // Downloads go to the folder Lookalike owns beside the catalog (Keras's ~/.keras/models is still searched first).
    cacheDir: generatedDir(catalogPath, 'models'),
    ...(job.kind === 'backend' ? {} : job.weights),
    onDownload: (p) => {
      // At most one line a second: the file is ~94 MB and arrives in thousands of chunks.
      const now = Date.now();
      if (now - lastDownloadLine < 1000 && p.receivedBytes !== p.totalBytes) return;
      lastDownloadLine = now;
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      send({ type: 'log', line: `downloading the backbone's weights: ${mb(p.receivedBytes)}${p.totalBytes ? ` / ${mb(p.totalBytes)}` : ''} MB` });
    },
  },
};

if (job.kind === 'backend') {
  try {
    send({ type: 'backend', line: describeBackend(await initBackend()) });
  } catch (e) {
    send({ type: 'error', error: toBridgeError(e) });
  } finally {
    port.close();
  }
} else {
  adoptLegacyGeneratedFiles(catalogPath);
  const db = openCatalog(catalogPath);
  try {
    const run = job.kind === 'new' ? await trainNewRun(db, job.dataset, job.request, hooks) : await resumeRun(db, job.runId, { ...hooks, force: job.force });
    send({ type: 'done', run });
  } catch (e) {
    send({ type: 'error', error: toBridgeError(e) });
  } finally {
    db.close();
    port.close();
  }
}
