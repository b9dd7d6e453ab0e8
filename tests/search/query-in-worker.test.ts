import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { queryCatalog } from '../../src-main/search/query-catalog.ts';
import { QueryWorkerClient } from '../../src-main/search/query-in-worker.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let dbFile: string;
let folder: string;
let client: QueryWorkerClient;

beforeAll(async () => {
  tmp = tempDir();
  dbFile = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(dbFile);
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 10);
  await importFolder(db, folder, { name: 'tiny' });
  await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 4, seed: 1 });
  client = new QueryWorkerClient(dbFile);
});
afterAll(async () => {
  await client.close();
  db.close();
  tmp.cleanup();
});

it('stops a query when its signal aborts (before the catalog is embedded), with code CANCELLED', async () => {
  const controller = new AbortController();
  const asked = client.query({ image: { path: path.join(folder, 'right', 'logo03.jpg') }, top: 3 }, { signal: controller.signal });
  controller.abort();
  await expect(asked).rejects.toMatchObject({ code: 'CANCELLED' });
  const aborted = new AbortController();
  aborted.abort();
  await expect(client.query({ image: { path: path.join(folder, 'right', 'logo03.jpg') } }, { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
});

it('answers in its worker what the service answers in process, reporting the catalog embedding as it goes', async () => {
  const image = { path: path.join(folder, 'right', 'logo04.jpg') };
  const progress: Array<[number, number]> = [];
  const inWorker = await client.query({ image, side: 'left', top: 5 }, { onProgress: (done, total) => progress.push([done, total]) });
  expect(progress.at(-1)).toEqual([20, 20]); // 10 pairs × 2 images embedded on the first query
  const inProcess = await queryCatalog(db, { image, side: 'left', top: 5 });
  expect(inWorker.hits.map((h) => [h.imageId, h.score.toFixed(5)])).toEqual(inProcess.hits.map((h) => [h.imageId, h.score.toFixed(5)]));
  // Later queries reuse the stored vectors: nothing left to embed.
  const again: Array<[number, number]> = [];
  await client.query({ image, top: 3 }, { onProgress: (d, t) => again.push([d, t]) });
  expect(again).toEqual([]);
});

it('keeps the service error code across the worker boundary', async () => {
  await expect(client.query({ image: { path: path.join(tmp.dir, 'missing.png') } })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no such file') });
});
