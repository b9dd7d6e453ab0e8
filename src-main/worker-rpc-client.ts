import type { Worker } from 'node:worker_threads';
import { RemoteError, type BridgeError } from '../src-shared/contract.ts';

/** What a request/response worker sends back, each message carrying the id of the request it belongs to. */
export type WorkerReply<Result, Progress extends object> =
  | ({ id: number; type: 'progress' } & Progress)
  | { id: number; type: 'result'; value: Result }
  | { id: number; type: 'error'; error: BridgeError };

/** How one kind of worker is started and spoken to. */
export interface WorkerRpcOptions<Request> {
  /** Named in crash messages ("query worker crashed: …"). */
  name: string;
  /** Starts the thread (its entry URL must be made in the caller's own file, so bundling resolves it there). */
  start: () => Worker;
  /** The message that asks for one request; `{ id, type: 'cancel' }` cancels it. */
  request: (id: number, request: Request) => unknown;
}

/**
 * Answers requests in one long-lived worker thread, started on the first request: the query worker and the run
 * page's task worker are both this. `signal` cancels a request (the worker is told; its promise rejects with the
 * worker's CANCELLED); errors keep the service's code; a crashed worker fails what was pending with
 * WORKER_CRASHED and the next request starts a fresh one.
 */
export class WorkerRpcClient<Request, Result, Progress extends object> {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void }>();

  constructor(private readonly options: WorkerRpcOptions<Request>) {}

  call(request: Request, opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void; cancelledMessage?: string } = {}): Promise<Result> {
    if (opts.signal?.aborted) return Promise.reject(new RemoteError('CANCELLED', opts.cancelledMessage ?? 'cancelled'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ id, type: 'cancel' });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)), onProgress: opts.onProgress });
      worker.postMessage(this.options.request(id, request));
    });
  }

  /** Stops the worker; pending requests fail. The next request would start a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    const worker = this.options.start();
    worker.on('message', (m: WorkerReply<Result, Progress>) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        const { id: _id, type: _type, ...progress } = m;
        return p.onProgress?.(progress as unknown as Progress);
      }
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new RemoteError(m.error.code, m.error.message));
    });
    const fail = (message: string) => {
      if (this.worker === worker) this.worker = undefined; // the next request starts a fresh worker
      for (const p of this.pending.values()) p.reject(new RemoteError('WORKER_CRASHED', message));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`${this.options.name} crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`${this.options.name} exited (code ${code})`));
    // An idle worker must not keep a CLI or a test process alive. After the listeners: adding a 'message'
    // listener refs the worker's port again, which is why `serve` outlived its first Ctrl-C after any query.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
