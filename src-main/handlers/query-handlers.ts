import { markFeedback } from '../catalog/feedback.ts';
import { QueryWorkerClient } from '../search/query-in-worker.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';

type QueryHandlers = Pick<Handlers, 'query:run' | 'feedback:mark'>;

/** The query area: queries run in their own worker, which keeps the model and the catalog index loaded. */
export function queryHandlers(ctx: ServiceContext): QueryHandlers {
  const worker = new QueryWorkerClient(ctx.catalogPath);
  return {
    'query:run': (req) => worker.query(req, (done, total) => ctx.emit('query:progress', { done, total })),
    'feedback:mark': (mark) => markFeedback(ctx.db, mark),
  };
}
