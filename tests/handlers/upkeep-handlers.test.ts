import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { listDatasets } from '../../src-main/catalog/datasets.ts';
import { JobRunner } from '../../src-main/handlers/job-runner.ts';
import { upkeepHandlers } from '../../src-main/handlers/upkeep-handlers.ts';
import type { ServiceContext } from '../../src-main/handlers/handler-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { fakeRun } from '../upkeep/upkeep-fixture.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let jobs: JobRunner;

beforeEach(() => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  jobs = new JobRunner();
});
afterEach(async () => {
  await jobs.dispose();
  db.close();
  tmp.cleanup();
});

/** A job that runs until cancelled, about what `about` says. */
function holdJob(kind: 'training' | 'query-batch', about: { datasetId?: number; runId?: number }): string {
  return jobs.start({
    kind,
    about,
    run: (job) => new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason))),
    end: () => {},
  });
}

it('refuses to remove a dataset or run that a job uses, and removes it once the job has ended', async () => {
  const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'logos'), 3);
  const { dataset } = await importFolder(db, folder, { name: 'logos' });
  const runId = fakeRun(db, dataset.id);
  const ctx = { db, catalogPath: db.name, transport: 'web', emit: () => {} } as ServiceContext;
  const h = upkeepHandlers(ctx, jobs);

  const batch = holdJob('query-batch', { runId });
  expect(() => h['runs:remove']({ runId })).toThrow(expect.objectContaining({ code: 'IN_USE_BY_JOB', message: expect.stringContaining('a batch query') }));
  expect(() => h['datasets:remove']({ datasetId: dataset.id })).toThrow(expect.objectContaining({ code: 'IN_USE_BY_JOB' }));
  jobs.cancel(batch);
  await new Promise((r) => setTimeout(r, 0));

  const training = holdJob('training', { datasetId: dataset.id });
  expect(() => h['datasets:remove']({ datasetId: dataset.id })).toThrow(expect.objectContaining({ code: 'IN_USE_BY_JOB', message: expect.stringContaining('a training') }));
  expect(listDatasets(db)).toHaveLength(1);
  jobs.cancel(training);
  await new Promise((r) => setTimeout(r, 0));

  expect(h['datasets:remove']({ datasetId: dataset.id })).toMatchObject({ pairs: 3, runs: [runId] });
  expect(listDatasets(db)).toHaveLength(0);
});
