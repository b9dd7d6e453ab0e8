import { SAMPLE_DIR } from '../app-paths.ts';
import { datasetsHandlers } from './datasets-handlers.ts';
import { trainingHandlers } from './training-handlers.ts';
import { queryHandlers } from './query-handlers.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import { withReferenceChecks } from './reference-checks.ts';

declare const __APP_VERSION__: string | undefined;

/** Every request handler, per area, over one service context; ids that name no catalog row are refused first. */
export function allHandlers(ctx: ServiceContext): Handlers {
  return withReferenceChecks(ctx.db, {
    'app:info': () => ({
      version: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (process.env.npm_package_version ?? 'dev'),
      catalogPath: ctx.catalogPath,
      transport: ctx.transport,
      samplePath: ctx.samplePath ?? SAMPLE_DIR,
    }),
    'dialog:pickFolder': async () => (ctx.pickFolder ? ctx.pickFolder() : null),
    'dialog:pickImage': async () => (ctx.pickImage ? ctx.pickImage() : null),
    ...datasetsHandlers(ctx),
    ...trainingHandlers(ctx),
    ...queryHandlers(ctx),
  });
}
