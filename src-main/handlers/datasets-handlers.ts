import { randomUUID } from 'node:crypto';
import { listDatasets, listPairs, listProblems } from '../catalog/datasets.ts';
import { importFolder } from '../importer/import-folder.ts';
import { toBridgeError } from '../../src-shared/contract.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';

type DatasetHandlers = Pick<Handlers, 'datasets:list' | 'datasets:pairs' | 'datasets:problems' | 'datasets:import' | 'datasets:cancelImport'>;

/** The datasets area: listing, and imports as cancellable jobs that report through events. */
export function datasetsHandlers(ctx: ServiceContext): DatasetHandlers {
  const running = new Map<string, AbortController>();
  return {
    'datasets:list': () => listDatasets(ctx.db),
    'datasets:pairs': ({ datasetId }) => listPairs(ctx.db, datasetId),
    'datasets:problems': ({ datasetId }) => listProblems(ctx.db, datasetId),
    'datasets:import': ({ folder, name }) => {
      const jobId = randomUUID();
      const controller = new AbortController();
      running.set(jobId, controller);
      importFolder(ctx.db, folder, { name, signal: controller.signal, onProgress: (p) => ctx.emit('import:progress', { jobId, ...p }) })
        .then((result) => ctx.emit('import:done', { jobId, result }))
        .catch((e) => ctx.emit('import:failed', { jobId, error: controller.signal.aborted ? { code: 'CANCELLED', message: 'import cancelled; the catalog is unchanged' } : toBridgeError(e) }))
        .finally(() => running.delete(jobId));
      return { jobId };
    },
    'datasets:cancelImport': ({ jobId }) => {
      running.get(jobId)?.abort();
    },
  };
}
