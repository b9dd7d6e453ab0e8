import { Worker } from 'node:worker_threads';
import type { WorkerJob } from './train-worker-messages.ts';

/** Starts a training worker thread on one job (see train-worker.ts). */
export function spawnTrainingWorker(catalogPath: string, job: WorkerJob): Worker {
  // From sources (CLI, tests) the entry is TypeScript and needs tsx's loader; the bundled app ships it as .js.
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? new Worker(new URL('../tsx-worker-boot.mjs', import.meta.url), {
        workerData: { catalogPath, job, tsEntry: new URL('./train-worker.ts', import.meta.url).href },
      })
    : new Worker(new URL('./train-worker.js', import.meta.url), { workerData: { catalogPath, job } });
}
