import { Worker } from 'node:worker_threads';
import { RemoteError } from '../../src-shared/contract.ts';
import type { QueryRequest, QueryResponse } from '../../src-shared/query-types.ts';
import type { FromQueryWorker, ToQueryWorker } from './query-worker-messages.ts';

interface Pending {
  resolve: (r: QueryResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Answers queries in one long-lived worker thread (started on the first query), so the app's main process and the
 * local server stay responsive while a model loads or the catalog is embedded. Errors keep the service's code.
 */
export class QueryWorkerClient {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly catalogPath: string) {}

  /**
   * Answers one query. `signal` cancels it: the worker stops between embedding chunks and the promise rejects with
   * code CANCELLED.
   */
  query(req: QueryRequest, opts: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {}): Promise<QueryResponse> {
    if (opts.signal?.aborted) return Promise.reject(new RemoteError('CANCELLED', 'query cancelled'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<QueryResponse>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ id, type: 'cancel' } satisfies ToQueryWorker);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)), onProgress: opts.onProgress });
      worker.postMessage({ id, type: 'query', req } satisfies ToQueryWorker);
    });
  }

  /** Stops the worker; pending queries fail. The next query would start a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    // From sources (CLI, tests) the entry is TypeScript and needs tsx's loader; the bundled app ships it as .js.
    const fromSource = import.meta.url.endsWith('.ts');
    const worker = fromSource
      ? new Worker(new URL('../tsx-worker-boot.mjs', import.meta.url), {
          workerData: { catalogPath: this.catalogPath, tsEntry: new URL('./query-worker.ts', import.meta.url).href },
        })
      : new Worker(new URL('./query-worker.js', import.meta.url), { workerData: { catalogPath: this.catalogPath } });
    worker.on('message', (m: FromQueryWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') return p.onProgress?.(m.done, m.total);
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new RemoteError(m.error.code, m.error.message));
    });
    const fail = (message: string) => {
      if (this.worker === worker) this.worker = undefined; // the next query starts a fresh worker
      for (const p of this.pending.values()) p.reject(new RemoteError('WORKER_CRASHED', message));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`query worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`query worker exited (code ${code})`));
    // An idle query worker must not keep a CLI or a test process alive. After the listeners: adding a 'message'
    // listener refs the worker's port again, which is why `serve` outlived its first Ctrl-C after any query.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
