import { markFeedback } from '../catalog/feedback.ts';
import type { QueryWorkerClient } from '../search/query-in-worker.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';

type QueryHandlers = Pick<Handlers, 'query:start' | 'feedback:mark'>;

/**
 * The query area: queries are jobs of the runner (id, progress, cancel) answered by the query worker, which keeps
 * the model and the catalog index loaded between queries. The worker belongs to whoever built the services.
 */
export function queryHandlers(ctx: ServiceContext, jobs: JobRunner, worker: QueryWorkerClient): QueryHandlers {
  return {
    'query:start': (req) => ({
      jobId: jobs.start({
        kind: 'query',
        about: { runId: idOrUndefined(req?.runId), datasetId: idOrUndefined(req?.datasetId) },
        run: (job) =>
          worker.query(req, {
            signal: job.signal,
            onProgress: (done, total) => {
              job.progress({ done, total });
              ctx.emit('query:progress', { jobId: job.jobId, done, total });
            },
          }),
        end: (outcome, jobId) => {
          if (outcome.state === 'done') ctx.emit('query:done', { jobId, response: outcome.value });
          else ctx.emit('query:failed', { jobId, error: outcome.error });
        },
      }),
    }),
    'feedback:mark': (mark) => markFeedback(ctx.db, mark),
  };
}

/** Arguments are not validated yet at this point (dispatch will be): only a number is listed as an id. */
function idOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
