/**
 * Worker-thread entry for queries: the model and the catalog's vectors stay loaded here between queries, and the
 * tensor maths (a run's first query embeds the whole catalog) never blocks the app's main process or the server.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openCatalog } from '../catalog/open-catalog.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import { queryCatalog, QuerySession } from './query-catalog.ts';
import type { FromQueryWorker, ToQueryWorker } from './query-worker-messages.ts';

const port = parentPort!;
const db = openCatalog((workerData as { catalogPath: string }).catalogPath);
const session = new QuerySession();
const send = (m: FromQueryWorker) => port.postMessage(m);

/** The queries being answered, by id, so a cancel can reach the one it names. */
const running = new Map<number, AbortController>();

port.on('message', (m: ToQueryWorker) => {
  if (m.type === 'cancel') return running.get(m.id)?.abort();
  const controller = new AbortController();
  running.set(m.id, controller);
  queryCatalog(db, m.req, { session, signal: controller.signal, onProgress: (done, total) => send({ id: m.id, type: 'progress', done, total }) })
    .then((value) => send({ id: m.id, type: 'result', value }))
    .catch((e) => send({ id: m.id, type: 'error', error: controller.signal.aborted ? { code: 'CANCELLED', message: 'query cancelled' } : toBridgeError(e) }))
    .finally(() => running.delete(m.id));
});
