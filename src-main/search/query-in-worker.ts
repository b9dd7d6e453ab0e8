import { Worker } from 'node:worker_threads';
import type { QueryRequest, QueryResponse } from '../../src-shared/query-types.ts';
import { WorkerRpcClient } from '../worker-rpc-client.ts';
import type { ToQueryWorker } from './query-worker-messages.ts';

/**
 * Answers queries in one long-lived worker thread (started on the first query), so the app's main process and the
 * local server stay responsive while a model loads or the catalog is embedded. Errors keep the service's code.
 */
export class QueryWorkerClient {
  private readonly rpc: WorkerRpcClient<QueryRequest, QueryResponse, { done: number; total: number }>;

  constructor(catalogPath: string) {
    this.rpc = new WorkerRpcClient({
      name: 'query worker',
      request: (id, req) => ({ id, type: 'query', req }) satisfies ToQueryWorker,
      // From sources (CLI, tests) the entry is TypeScript and needs tsx's loader; the bundled app ships it as .js.
      start: () =>
        import.meta.url.endsWith('.ts')
          ? new Worker(new URL('../tsx-worker-boot.mjs', import.meta.url), {
              workerData: { catalogPath, tsEntry: new URL('./query-worker.ts', import.meta.url).href },
            })
          : new Worker(new URL('./query-worker.js', import.meta.url), { workerData: { catalogPath } }),
    });
  }

  /**
   * Answers one query. `signal` cancels it: the worker stops between embedding chunks and the promise rejects with
   * code CANCELLED.
   */
  query(req: QueryRequest, opts: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {}): Promise<QueryResponse> {
    const onProgress = opts.onProgress;
    return this.rpc.call(req, { signal: opts.signal, cancelledMessage: 'query cancelled', onProgress: onProgress && ((p) => onProgress(p.done, p.total)) });
  }

  /** Stops the worker; pending queries fail. The next query would start a new one. */
  close(): Promise<void> {
    return this.rpc.close();
  }
}
