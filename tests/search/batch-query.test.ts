import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { queryCatalog, QuerySession } from '../../src-main/search/query-catalog.ts';
import { batchQuery, type QueryOne } from '../../src-main/search/batch-query.ts';
import { batchCsv } from '../../src-main/report/batch-csv.ts';
import { batchHtml } from '../../src-main/report/batch-html.ts';
import { tempDir, writeTree } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { parseCsv } from '../helpers/parse-csv.ts';
import { RemoteError } from '../../src-shared/contract.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let catalogFolder: string;
let suspects: string;
const session = new QuerySession();
const queryOne: QueryOne = (req, o) => queryCatalog(db, req, { ...o, session });

beforeAll(async () => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  catalogFolder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 10);
  await importFolder(db, catalogFolder, { name: 'tiny' });
  await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 4, seed: 1, augment: 0 });
  // A folder of suspects as an analyst gets it: good images, a text file named .png, an empty file, a subfolder.
  suspects = path.join(tmp.dir, 'suspects, "batch 1"');
  writeTree(suspects, {
    'a-logo02.jpg': fs.readFileSync(path.join(catalogFolder, 'right', 'logo02.jpg')),
    'b-logo07.jpg': fs.readFileSync(path.join(catalogFolder, 'right', 'logo07.jpg')),
    'c-notes.png': 'just some notes, not an image',
    'd-empty.jpg': Buffer.alloc(0),
    'e-nested/x.jpg': fs.readFileSync(path.join(catalogFolder, 'right', 'logo01.jpg')),
    '.DS_Store': 'mac',
  });
}, 120_000);
afterAll(() => {
  session.dispose();
  db.close();
  tmp.cleanup();
});

describe('batch query', () => {
  it('queries every good file of a folder, lists the bad ones with the importer\'s reasons, and its CSV has the rows single queries give', async () => {
    const progress: Array<[number, number]> = [];
    const result = await batchQuery({ inputs: [{ path: suspects }], top: 3, side: 'left' }, queryOne, { onProgress: (p) => progress.push([p.done, p.total]) });
    expect(result.items.map((i) => path.basename(i.file))).toEqual(['a-logo02.jpg', 'b-logo07.jpg']);
    expect(result.unusable.map((u) => [path.basename(u.file), u.code])).toEqual([
      ['e-nested', 'DIRECTORY'],
      ['c-notes.png', 'NOT_AN_IMAGE'],
      ['d-empty.jpg', 'EMPTY_FILE'],
    ]);
    expect(progress.at(-1)).toEqual([4, 4]);
    expect(result.items[0].thumbnail).toMatch(/^data:image\/webp;base64,/);

    const rows = parseCsv(batchCsv(result));
    for (const name of ['a-logo02.jpg', 'b-logo07.jpg']) {
      const single = await queryCatalog(db, { image: { path: path.join(suspects, name) }, top: 3, side: 'left' }, { session });
      const mine = rows.filter((r) => r.query_file === path.join(suspects, name));
      expect(mine).toEqual(
        single.hits.map((h) => ({
          query_file: path.join(suspects, name),
          rank: String(h.rank),
          hit_dataset: 'tiny',
          hit_pair: h.pairName,
          hit_side: 'left',
          hit_path: h.path,
          score: h.score.toFixed(6),
          match: String(h.match),
          problem: '',
        })),
      );
    }
    const bad = rows.filter((r) => r.problem);
    expect(bad.map((r) => path.basename(r.query_file))).toEqual(['e-nested', 'c-notes.png', 'd-empty.jpg']);
    expect(bad.find((r) => r.query_file.endsWith('d-empty.jpg'))!.problem).toBe('EMPTY_FILE: empty file (0 bytes)');
    expect(rows).toHaveLength(2 * 3 + 3);

    const html = batchHtml(db, result);
    expect(html).not.toMatch(/(src|href)="(?!data:)/); // self-contained: every image inlined
    expect((html.match(/<img src="data:image\/webp;base64,/g) ?? []).length).toBe(2 + 2 * 3);
    expect(html).toContain('c-notes.png');
  });

  it('stops between files when cancelled, with code CANCELLED', async () => {
    const controller = new AbortController();
    let asked = 0;
    const counting: QueryOne = (req, o) => {
      asked++;
      controller.abort(Object.assign(new Error('cancelled'), { code: 'CANCELLED' }));
      return queryOne(req, o);
    };
    const files = ['logo00', 'logo03', 'logo04', 'logo05'].map((n) => ({ path: path.join(catalogFolder, 'right', `${n}.jpg`) }));
    await expect(batchQuery({ inputs: files }, counting, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(asked).toBe(1);
  });

  it('lists a file the query refuses (as the worker reports it, by code) and goes on with the next', async () => {
    const files = ['logo00', 'logo03'].map((n) => ({ path: path.join(catalogFolder, 'right', `${n}.jpg`) }));
    const flaky: QueryOne = (req, o) =>
      'path' in req.image && req.image.path.endsWith('logo00.jpg') ? Promise.reject(new RemoteError('CORRUPT_IMAGE', 'corrupt or truncated jpeg')) : queryOne(req, o);
    const result = await batchQuery({ inputs: files, top: 2 }, flaky);
    expect(result.items.map((i) => path.basename(i.file))).toEqual(['logo03.jpg']);
    expect(result.unusable).toEqual([{ file: files[0].path, code: 'CORRUPT_IMAGE', reason: 'corrupt or truncated jpeg' }]);
  });

  it('refuses an empty batch and a run that does not exist, instead of listing every file as bad', async () => {
    await expect(batchQuery({ inputs: [] }, queryOne)).rejects.toMatchObject({ code: 'BAD_QUERY' });
    await expect(batchQuery({ inputs: [{ path: suspects }], runId: 999 }, queryOne)).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});
