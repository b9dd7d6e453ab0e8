/**
 * Worker-thread entry for the run page's jobs (held-out evaluation, report, export): model loading and tensor
 * maths never run on the app's main process or the server's event loop. One task at a time per message id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCatalog } from '../catalog/open-catalog.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import { runTask } from './run-task.ts';
import type { RunTask, RunTaskProgress, RunTaskResult } from '../../src-shared/run-task-types.ts';
import type { BridgeError } from '../../src-shared/contract.ts';

/** Messages to the worker. */
export type ToRunTaskWorker = { id: number; type: 'run'; task: RunTask } | { id: number; type: 'cancel' };
/** Messages from the worker. */
export type FromRunTaskWorker =
  | ({ id: number; type: 'progress' } & RunTaskProgress)
  | { id: number; type: 'result'; value: RunTaskResult }
  | { id: number; type: 'error'; error: BridgeError };

const port = parentPort;
if (port) {
  const catalogPath = (workerData as { catalogPath: string }).catalogPath;
  const db = openCatalog(catalogPath);
  const running = new Map<number, AbortController>();
  const send = (m: FromRunTaskWorker) => port.postMessage(m);
  port.on('message', (m: ToRunTaskWorker) => {
    if (m.type === 'cancel') return running.get(m.id)?.abort();
    const controller = new AbortController();
    running.set(m.id, controller);
    runTask(db, catalogPath, m.task, { signal: controller.signal, onProgress: (p) => send({ id: m.id, type: 'progress', ...p }) })
      .then((value) => send({ id: m.id, type: 'result', value }))
      .catch((e) => send({ id: m.id, type: 'error', error: controller.signal.aborted ? { code: 'CANCELLED', message: 'cancelled' } : toBridgeError(e) }))
      .finally(() => running.delete(m.id));
  });
}
