import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { queryCatalog } from '../../src-main/search/query-catalog.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { tempDir, writeTree } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { parseCsv } from '../helpers/parse-csv.ts';

let tmp: ReturnType<typeof tempDir>;
let catalog: string;
let folder: string;

beforeAll(async () => {
  tmp = tempDir();
  catalog = path.join(tmp.dir, 'catalog.sqlite');
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 8);
  const db = openCatalog(catalog);
  try {
    await importFolder(db, folder, { name: 'tiny' });
    await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 4, seed: 1, augment: 0 });
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => tmp.cleanup());

it('lookalike query FOLDER FILE --csv OUT --top K writes one row per query and hit, the bad file with its reason', async () => {
  const suspects = path.join(tmp.dir, 'suspects');
  writeTree(suspects, { 'one.jpg': fs.readFileSync(path.join(folder, 'right', 'logo01.jpg')), 'zero.jpg': Buffer.alloc(0) });
  const extra = path.join(folder, 'right', 'logo05.jpg');
  const out = path.join(tmp.dir, 'triage.csv');
  const res = await runCli(['--db', catalog, 'query', suspects, extra, '--csv', out, '--top', '2']);
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toContain('2 images queried');
  expect(res.stdout).toContain('not used: ');
  const rows = parseCsv(fs.readFileSync(out, 'utf8'));
  const db = openCatalog(catalog);
  try {
    for (const file of [path.join(suspects, 'one.jpg'), extra]) {
      const single = await queryCatalog(db, { image: { path: file }, top: 2 });
      expect(rows.filter((r) => r.query_file === file).map((r) => [r.rank, r.hit_pair, r.hit_side, r.score])).toEqual(
        single.hits.map((h) => [String(h.rank), h.pairName, h.side, h.score.toFixed(6)]),
      );
    }
  } finally {
    db.close();
  }
  expect(rows.find((r) => r.query_file.endsWith('zero.jpg'))?.problem).toBe('EMPTY_FILE: empty file (0 bytes)');
  expect(rows).toHaveLength(5);
});
