import path from 'node:path';
import { getRun } from '../catalog/runs.ts';
import { renameRun } from '../catalog/run-name.ts';
import {
  previewDatasetRemoval,
  previewRunRemoval,
  removeDatasetEverywhere,
  removeRunEverywhere,
  renameDataset,
} from '../model-store/catalog-upkeep.ts';
import type { JobInfo } from '../../src-shared/job-types.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';

type UpkeepHandlers = Pick<Handlers, 'datasets:removalPreview' | 'datasets:remove' | 'datasets:rename' | 'runs:removalPreview' | 'runs:remove' | 'runs:rename'>;

/** A removal refused because a job of this process still uses what it would remove. */
function busy(what: string, job: JobInfo): Error {
  const doing = { import: 'an import', training: job.state === 'queued' ? 'a queued training' : 'a training', query: 'a query', 'query-batch': 'a batch query', 'run-task': 'an evaluation, report or export' }[job.kind];
  return Object.assign(new Error(`${what} is in use by ${doing}; cancel it or wait until it ends, then remove again`), { code: 'IN_USE_BY_JOB' });
}

/**
 * Catalog upkeep: removals and renames (of datasets and runs). A removal is refused while a job of the runner (queued or running) uses the
 * dataset or run; trainings of another process are refused by the catalog itself (their run is live).
 */
export function upkeepHandlers(ctx: ServiceContext, jobs: JobRunner): UpkeepHandlers {
  const jobUsingDataset = (datasetId: number) => {
    const preview = previewDatasetRemoval(ctx.db, datasetId);
    return jobs.list().find(
      (j) =>
        j.about.datasetId === datasetId ||
        (j.about.runId !== undefined && preview.runs.includes(j.about.runId)) ||
        (j.about.folder !== undefined && path.resolve(j.about.folder) === preview.dataset.root),
    );
  };
  return {
    'datasets:removalPreview': ({ datasetId }) => previewDatasetRemoval(ctx.db, datasetId),
    'datasets:remove': ({ datasetId }) => {
      const job = jobUsingDataset(datasetId);
      if (job) throw busy('this dataset', job);
      return removeDatasetEverywhere(ctx.db, ctx.catalogPath, datasetId);
    },
    'datasets:rename': ({ datasetId, name }) => renameDataset(ctx.db, datasetId, name),
    'runs:removalPreview': ({ runId }) => previewRunRemoval(ctx.db, runId),
    'runs:remove': ({ runId }) => {
      getRun(ctx.db, runId);
      const job = jobs.list().find((j) => j.about.runId === runId);
      if (job) throw busy(`run ${runId}`, job);
      return removeRunEverywhere(ctx.db, ctx.catalogPath, runId);
    },
    // A name is only shown: renaming a run that trains or is queried changes nothing they do.
    'runs:rename': ({ runId, name }) => renameRun(ctx.db, runId, name),
  };
}
