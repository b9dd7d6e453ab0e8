import type { Handlers, ServiceContext } from './handler-types.ts';

type QueryHandlers = Pick<Handlers, 'query:run' | 'feedback:mark'>;

/** The query area. */
export function queryHandlers(_ctx: ServiceContext): QueryHandlers {
  const notYet = () => {
    throw Object.assign(new Error('query is being built (issue 4)'), { code: 'NOT_IMPLEMENTED' });
  };
  return { 'query:run': notYet, 'feedback:mark': notYet };
}
