import { Worker } from 'node:worker_threads';
import { RemoteError } from '../../src-shared/contract.ts';
import type { RunTask, RunTaskProgress, RunTaskResult } from '../../src-shared/run-task-types.ts';
import type { FromRunTaskWorker, ToRunTaskWorker } from './run-task-worker.ts';

/**
 * Runs the run page's jobs in one worker thread started on first use (like the query worker), so an evaluation
 * that loads two models never blocks the app or the server. Errors keep the service's code; cancel → CANCELLED.
 */
export class RunTaskWorkerClient {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: RunTaskResult) => void; reject: (e: Error) => void; onProgress?: (p: RunTaskProgress) => void }>();

  constructor(private readonly catalogPath: string) {}

  run(task: RunTask, opts: { signal?: AbortSignal; onProgress?: (p: RunTaskProgress) => void } = {}): Promise<RunTaskResult> {
    if (opts.signal?.aborted) return Promise.reject(new RemoteError('CANCELLED', 'cancelled'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => worker.postMessage({ id, type: 'cancel' } satisfies ToRunTaskWorker);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)), onProgress: opts.onProgress });
      worker.postMessage({ id, type: 'run', task } satisfies ToRunTaskWorker);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    const fromSource = import.meta.url.endsWith('.ts');
    const worker = fromSource
      ? new Worker(new URL('../tsx-worker-boot.mjs', import.meta.url), { workerData: { catalogPath: this.catalogPath, tsEntry: new URL('./run-task-worker.ts', import.meta.url).href } })
      : new Worker(new URL('./run-task-worker.js', import.meta.url), { workerData: { catalogPath: this.catalogPath } });
    worker.on('message', (m: FromRunTaskWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') return p.onProgress?.({ step: m.step, done: m.done, total: m.total });
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve(m.value);
      else p.reject(new RemoteError(m.error.code, m.error.message));
    });
    const fail = (message: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new RemoteError('WORKER_CRASHED', message));
      this.pending.clear();
    };
    worker.on('error', (e) => fail(`run-task worker crashed: ${e.message}`));
    worker.on('exit', (code) => fail(`run-task worker exited (code ${code})`));
    // Idle, it must not keep a process alive (see query-in-worker.ts).
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
