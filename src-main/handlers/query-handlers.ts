import { markFeedback } from '../search/feedback.ts';
import { queryCatalog, QuerySession } from '../search/query-catalog.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';

type QueryHandlers = Pick<Handlers, 'query:run' | 'feedback:mark'>;

/** The query area: one loaded model and catalog index kept between queries. */
export function queryHandlers(ctx: ServiceContext): QueryHandlers {
  const session = new QuerySession();
  return {
    'query:run': (req) => queryCatalog(ctx.db, req, { session }),
    'feedback:mark': (mark) => markFeedback(ctx.db, mark),
  };
}
