import { SAMPLE_DIR } from '../app-paths.ts';
import { QueryWorkerClient } from '../search/query-in-worker.ts';
import { datasetsHandlers } from './datasets-handlers.ts';
import { trainingHandlers } from './training-handlers.ts';
import { queryHandlers } from './query-handlers.ts';
import { upkeepHandlers } from './upkeep-handlers.ts';
import { batchHandlers } from './batch-handlers.ts';
import { runTaskHandlers } from './run-task-handlers.ts';
import { RunTaskWorkerClient } from './run-task-in-worker.ts';
import { JobRunner } from './job-runner.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import { withReferenceChecks } from './reference-checks.ts';

declare const __APP_VERSION__: string | undefined;

/** The services a transport hosts: one handler per request, the job runner behind them, and how to stop them. */
export interface Services {
  handlers: Handlers;
  jobs: JobRunner;
  /** Cancels every job and waits for each to end, then closes the query worker. Call once, on exit. */
  dispose(): Promise<void>;
}

/**
 * Every request handler, per area, over one service context and one job runner; ids that name no catalog row are
 * refused before any handler runs.
 */
export function createServices(ctx: ServiceContext): Services {
  const jobs = new JobRunner({ onState: (change) => ctx.emit('jobs:state', change) });
  const queryWorker = new QueryWorkerClient(ctx.catalogPath);
  const runTaskWorker = new RunTaskWorkerClient(ctx.catalogPath);
  const handlers: Handlers = withReferenceChecks(ctx.db, {
    'app:info': () => ({
      version: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (process.env.npm_package_version ?? 'dev'),
      catalogPath: ctx.catalogPath,
      transport: ctx.transport,
      samplePath: ctx.samplePath ?? SAMPLE_DIR,
    }),
    'renderer:ready': () => ctx.onRendererReady?.(),
    'jobs:list': () => jobs.list(),
    'jobs:cancel': ({ jobId }) => {
      jobs.cancel(jobId);
    },
    'dialog:pickFolder': async () => (ctx.pickFolder ? ctx.pickFolder() : null),
    'dialog:pickImage': async () => (ctx.pickImage ? ctx.pickImage() : null),
    ...datasetsHandlers(ctx, jobs),
    ...trainingHandlers(ctx, jobs),
    ...queryHandlers(ctx, jobs, queryWorker),
    ...upkeepHandlers(ctx, jobs),
    ...batchHandlers(ctx, jobs, queryWorker),
    ...runTaskHandlers(ctx, jobs, runTaskWorker),
  });
  let disposing: Promise<void> | undefined;
  return {
    handlers,
    jobs,
    dispose: () =>
      (disposing ??= (async () => {
        await jobs.dispose();
        await queryWorker.close();
        await runTaskWorker.close();
      })()),
  };
}
