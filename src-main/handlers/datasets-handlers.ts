import { listDatasets, listPairs, listProblems } from '../catalog/datasets.ts';
import { importFolder } from '../importer/import-folder.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';

type DatasetHandlers = Pick<Handlers, 'datasets:list' | 'datasets:pairs' | 'datasets:problems' | 'datasets:import' | 'datasets:cancelImport'>;

/** The datasets area: listing, and imports as jobs of the runner that report through `import:*` events. */
export function datasetsHandlers(ctx: ServiceContext, jobs: JobRunner): DatasetHandlers {
  return {
    'datasets:list': () => listDatasets(ctx.db),
    'datasets:pairs': ({ datasetId }) => listPairs(ctx.db, datasetId),
    'datasets:problems': ({ datasetId }) => listProblems(ctx.db, datasetId),
    'datasets:import': ({ folder, name }) => ({
      jobId: jobs.start({
        kind: 'import',
        about: { folder },
        run: (job) =>
          importFolder(ctx.db, folder, {
            name,
            signal: job.signal,
            onProgress: (p) => {
              job.progress(p);
              ctx.emit('import:progress', { jobId: job.jobId, ...p });
            },
          }),
        end: (outcome, jobId) => {
          if (outcome.state === 'done') ctx.emit('import:done', { jobId, result: outcome.value });
          else if (outcome.state === 'cancelled') ctx.emit('import:failed', { jobId, error: { code: 'CANCELLED', message: 'import cancelled; the catalog is unchanged' } });
          else ctx.emit('import:failed', { jobId, error: outcome.error });
        },
      }),
    }),
    'datasets:cancelImport': ({ jobId }) => {
      jobs.cancel(jobId);
    },
  };
}
