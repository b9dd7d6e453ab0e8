import { Worker } from 'node:worker_threads';
import type { RunTask, RunTaskProgress, RunTaskResult } from '../../src-shared/run-task-types.ts';
import { WorkerRpcClient } from '../worker-rpc-client.ts';
import type { ToRunTaskWorker } from './run-task-worker.ts';

/**
 * Runs the run page's jobs in one worker thread started on first use (like the query worker), so an evaluation
 * that loads two models never blocks the app or the server. Errors keep the service's code; cancel → CANCELLED.
 */
export class RunTaskWorkerClient {
  private readonly rpc: WorkerRpcClient<RunTask, RunTaskResult, RunTaskProgress>;

  constructor(catalogPath: string) {
    this.rpc = new WorkerRpcClient({
      name: 'run-task worker',
      request: (id, task) => ({ id, type: 'run', task }) satisfies ToRunTaskWorker,
      start: () =>
        import.meta.url.endsWith('.ts')
          ? new Worker(new URL('../tsx-worker-boot.mjs', import.meta.url), {
              workerData: { catalogPath, tsEntry: new URL('./run-task-worker.ts', import.meta.url).href },
            })
          : new Worker(new URL('./run-task-worker.js', import.meta.url), { workerData: { catalogPath } }),
    });
  }

  run(task: RunTask, opts: { signal?: AbortSignal; onProgress?: (p: RunTaskProgress) => void } = {}): Promise<RunTaskResult> {
    return this.rpc.call(task, opts);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
