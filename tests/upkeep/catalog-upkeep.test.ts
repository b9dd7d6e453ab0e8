import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { listDatasets, listPairs } from '../../src-main/catalog/datasets.ts';
import { listRuns } from '../../src-main/catalog/runs.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { previewDatasetRemoval, removeDatasetEverywhere, removeRunEverywhere, renameDataset } from '../../src-main/model-store/catalog-upkeep.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { imageBytes, tempDir, writeTree } from '../helpers/fixtures.ts';
import { fakeLookalikes, fakeRun, snapshotTree } from './upkeep-fixture.ts';
import { CatalogIndex, indexFolderFor } from '../../src-main/search/catalog-index.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let catalogPath: string;

beforeEach(() => {
  tmp = tempDir();
  catalogPath = path.join(tmp.dir, 'home', 'catalog.sqlite');
  db = openCatalog(catalogPath);
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

/** Asserts that `fn` throws an error carrying `code` (what the CLI and the app act on). */
function expectErrorCode(fn: () => unknown, code: string): void {
  expect(fn).toThrow(expect.objectContaining({ code }));
}

const rows = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

/** Two datasets: A (4 pairs) and B, whose first pair is a copy of A's first pair (the same two images). */
async function twoDatasets() {
  const a = await makeTinyPairedFolder(path.join(tmp.dir, 'a'), 4);
  const b = await makeTinyPairedFolder(path.join(tmp.dir, 'b'), 1);
  writeTree(b, { 'left/other.png': await imageBytes('png', '#345'), 'right/other.png': await imageBytes('jpeg', '#456') });
  const ra = await importFolder(db, a, { name: 'A' });
  const rb = await importFolder(db, b, { name: 'B' });
  return { a, b, idA: ra.dataset.id, idB: rb.dataset.id };
}

describe('removing a dataset', () => {
  it('removes its pairs, runs, checkpoints, vectors, cached features and look-alikes, keeps images B shares, and never touches the folder', async () => {
    const { a, idA, idB } = await twoDatasets();
    const before = snapshotTree(a);
    const runA = fakeRun(db, idA, { augment: 2, seed: 3 });
    const runB = fakeRun(db, idB, { augment: 2, seed: 3 });
    const lookalikesA = fakeLookalikes(db, catalogPath, idA, 3);
    const lookalikesB = fakeLookalikes(db, catalogPath, idB, 3);
    const preview = previewDatasetRemoval(db, idA);
    expect(preview).toMatchObject({ pairs: 4, runs: [runA], images: 6, sharedImagesKept: 2, checkpoints: 1 });
    expect(rows('pairs')).toBe(6);

    const done = removeDatasetEverywhere(db, catalogPath, idA);

    expect(done).toMatchObject({ dataset: { id: idA, name: 'A' }, pairs: 4, runs: [runA], images: 6, sharedImagesKept: 2 });
    expect(listDatasets(db).map((d) => d.name)).toEqual(['B']);
    expect(listRuns(db).map((r) => r.id)).toEqual([runB]);
    expect(listPairs(db, idB)).toHaveLength(2);
    expect(rows('images')).toBe(4); // B's four images, two of them once A's too
    expect(rows('run_checkpoints')).toBe(1);
    expect(rows('run_epochs')).toBe(2);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM embeddings WHERE embedder = ?`).get(`run:${runA}`) as { n: number }).n).toBe(0);
    expect(rows('embeddings')).toBe(4);
    expect(rows('feature_cache')).toBe(4);
    // A's look-alikes go, except those of the logo B shares (B's run still reads them).
    const shared = new Set(lookalikesB);
    expect(lookalikesA.filter((f) => fs.existsSync(f)).every((f) => shared.has(f))).toBe(true);
    expect(lookalikesB.every((f) => fs.existsSync(f))).toBe(true);
    expect(done.generatedFiles).toBe(lookalikesA.length - lookalikesA.filter((f) => shared.has(f)).length);
    expect(snapshotTree(a)).toEqual(before);
  });

  it('refuses while one of its runs trains, and changes nothing', async () => {
    const { idA } = await twoDatasets();
    fakeRun(db, idA, { status: 'running' });
    const before = rows('pairs');
    expectErrorCode(() => removeDatasetEverywhere(db, catalogPath, idA), 'CATALOG_BUSY');
    expect(rows('pairs')).toBe(before);
  });

  it('says which dataset does not exist', () => {
    expectErrorCode(() => removeDatasetEverywhere(db, catalogPath, 99), 'DATASET_NOT_FOUND');
  });
});

describe('removing a run', () => {
  it('removes its epochs, checkpoint, vectors and the look-alikes only it used; the dataset and the other run stay', async () => {
    const { idA } = await twoDatasets();
    const keep = fakeRun(db, idA, { augment: 2, seed: 1 });
    const gone = fakeRun(db, idA, { augment: 2, seed: 2 });
    const kept = fakeLookalikes(db, catalogPath, idA, 1);
    const removed = fakeLookalikes(db, catalogPath, idA, 2);
    const done = removeRunEverywhere(db, catalogPath, gone);
    expect(done).toMatchObject({ run: { id: gone, datasetName: 'A' }, epochs: 2, checkpoints: 1, embeddingRows: 8, generatedFiles: removed.length });
    expect(listRuns(db).map((r) => r.id)).toContain(keep);
    expect(listRuns(db).map((r) => r.id)).not.toContain(gone);
    expect(kept.every((f) => fs.existsSync(f))).toBe(true);
    expect(removed.some((f) => fs.existsSync(f))).toBe(false);
    expect(listPairs(db, idA)).toHaveLength(4);
    expect(rows('feature_cache')).toBeGreaterThan(0);
  });

  it("deletes the search graph its vectors persisted, named as the catalog index names it, and no other run's", async () => {
    const { idA } = await twoDatasets();
    const keep = fakeRun(db, idA);
    const gone = fakeRun(db, idA);
    const persist = (runId: number) => {
      const index = new CatalogIndex({ dim: 2, embedderKey: `run:${runId}`, folder: indexFolderFor(catalogPath), annMinVectors: 2, threads: 1 });
      [[1, 0], [0, 1], [1, 1]].forEach((v, i) => index.add(i + 1, v));
      index.sync();
      return fs.readdirSync(indexFolderFor(catalogPath)!).filter((f) => f.startsWith(`run_${runId}.`));
    };
    expect(persist(keep)).toHaveLength(2);
    expect(persist(gone)).toHaveLength(2);
    removeRunEverywhere(db, catalogPath, gone);
    const left = fs.readdirSync(indexFolderFor(catalogPath)!);
    expect(left.filter((f) => f.startsWith(`run_${gone}.`))).toEqual([]);
    expect(left.filter((f) => f.startsWith(`run_${keep}.`))).toHaveLength(2);
    removeDatasetEverywhere(db, catalogPath, idA);
    expect(fs.readdirSync(indexFolderFor(catalogPath)!)).toEqual([]);
  });

  it('refuses a run that is training', async () => {
    const { idA } = await twoDatasets();
    const id = fakeRun(db, idA, { status: 'running' });
    expectErrorCode(() => removeRunEverywhere(db, catalogPath, id), 'CATALOG_BUSY');
    expectErrorCode(() => removeRunEverywhere(db, catalogPath, 12345), 'RUN_NOT_FOUND');
  });
});

describe('renaming a dataset', () => {
  it('renames, and refuses a taken, empty or control-character name', async () => {
    const { idA } = await twoDatasets();
    expect(renameDataset(db, idA, '  Logos 2026  ')).toEqual({ id: idA, oldName: 'A', name: 'Logos 2026' });
    expect(listDatasets(db).map((d) => d.name).sort()).toEqual(['B', 'Logos 2026']);
    expectErrorCode(() => renameDataset(db, idA, 'B'), 'DATASET_NAME_TAKEN');
    expectErrorCode(() => renameDataset(db, idA, '   '), 'DATASET_NAME_MISSING');
    expectErrorCode(() => renameDataset(db, idA, 'a\nb'), 'BAD_NAME');
    expect(listDatasets(db).map((d) => d.name).sort()).toEqual(['B', 'Logos 2026']);
  });
});

describe('re-importing a folder whose files changed', () => {
  it('drops the pairs whose files are gone or unusable, says why, and removes images nothing uses', async () => {
    const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'logos'), 4);
    await importFolder(db, folder);
    fs.rmSync(path.join(folder, 'right', 'logo01.jpg'));
    fs.writeFileSync(path.join(folder, 'left', 'logo02.png'), 'not an image any more');
    const again = await importFolder(db, folder);
    expect(again.pairs).toBe(2);
    expect(again.dropped).toEqual([
      { name: 'logo01.png', reason: 'right/logo01.jpg is gone' },
      { name: 'logo02.png', reason: expect.stringMatching(/^left\/logo02\.png can no longer be used: /) },
    ]);
    expect(listPairs(db, again.dataset.id).map((p) => p.name)).toEqual(['logo00.png', 'logo03.png']);
    expect(rows('images')).toBe(4);
    const third = await importFolder(db, folder);
    expect(third.dropped).toEqual([]);
  });
});
