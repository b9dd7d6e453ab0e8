import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { listDatasets } from '../../src-main/catalog/datasets.ts';
import { createServices, type Services } from '../../src-main/handlers/all-handlers.ts';
import { dispatch } from '../../src-main/handlers/dispatch.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let services: Services;

beforeAll(async () => {
  tmp = tempDir();
  const catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'seed'), 2), { name: 'seed' });
  services = createServices({ db, catalogPath, transport: 'web', emit: () => {} });
});
afterAll(async () => {
  await services.dispose();
  db.close();
  tmp.cleanup();
});

it('refuses malformed upkeep, batch and run-task arguments where requests enter, naming the field, and changes nothing', async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['datasets:remove', { datasetId: '1' }, /datasetId/],
    ['datasets:rename', { datasetId: 1, name: '' }, /name/],
    ['datasets:rename', { datasetId: 1, name: 'x'.repeat(201) }, /name/],
    ['runs:remove', { runId: -1 }, /runId/],
    ['query:batch', { inputs: [] }, /inputs/],
    ['query:batch', { inputs: [{ path: '/tmp' }], top: 0 }, /top/],
    ['query:batchExport', { jobId: 'x', format: 'xlsx' }, /format/],
    ['runs:task', { kind: 'delete', runId: 1 }, /kind/],
    ['runs:task', { kind: 'evaluate', runId: 1 }, /folder/],
  ];
  for (const [name, args, field] of cases) {
    const reply = await dispatch(services.handlers, name, args);
    expect(reply.ok, `${name} ${JSON.stringify(args)}`).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('BAD_ARGUMENT');
      expect(reply.error.message).toMatch(field);
    }
  }
  expect(listDatasets(db).map((d) => d.name)).toEqual(['seed']);
  const renamed = await dispatch(services.handlers, 'datasets:rename', { datasetId: listDatasets(db)[0].id, name: 'seed 2' });
  expect(renamed).toMatchObject({ ok: true, value: { oldName: 'seed', name: 'seed 2' } });
});
