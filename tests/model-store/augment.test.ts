import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lookalikeVariants } from '../../src-main/model-store/augment.ts';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { planBatches } from '../../src-main/ml/train-loop.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let folder: string;
beforeAll(async () => {
  tmp = tempDir();
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 8);
});
afterAll(() => tmp.cleanup());

it('makes the same look-alikes of a logo every time, each a decodable JPEG that differs from the logo', async () => {
  const logo = { sha256: 'ab'.repeat(32), path: path.join(folder, 'left', 'logo01.png') };
  const a = await lookalikeVariants(logo, 3, 7, path.join(tmp.dir, 'a'));
  const b = await lookalikeVariants(logo, 3, 7, path.join(tmp.dir, 'b'));
  expect(a.map((v) => v.sha256)).toEqual(b.map((v) => v.sha256));
  expect(new Set(a.map((v) => v.sha256)).size).toBe(3);
  const original = await sharp(logo.path).resize(32, 32).greyscale().raw().toBuffer();
  for (const v of a) {
    expect((await sharp(v.path).metadata()).format).toBe('jpeg');
    const pixels = await sharp(v.path).resize(32, 32).greyscale().raw().toBuffer();
    const diff = pixels.reduce((s, p, i) => s + Math.abs(p - original[i]), 0) / pixels.length;
    expect(diff).toBeGreaterThan(5);
  }
  // Another seed, other look-alikes.
  const c = await lookalikeVariants(logo, 1, 8, path.join(tmp.dir, 'a'));
  expect(c[0].sha256).not.toBe(a[0].sha256);
});

it('a run with --augment trains on the extra pairs, made once into the folder Lookalike owns beside the catalog', async () => {
  const db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  await importFolder(db, folder, { name: 'tiny' });
  const trainPairs = listTrain(db);
  const request = { backbone: 'mobilenetv2', inputSize: 32, epochs: 1, batchSize: 4, seed: 3 } as const;
  const batchesOf = async (augment: number) => {
    const batches = new Set<number>();
    const run = await trainNewRun(db, 'tiny', { ...request, augment }, { onProgress: (p) => p.phase === 'train' && batches.add(p.batches) });
    expect(run).toMatchObject({ status: 'done', config: { augment } });
    return [...batches];
  };
  const plain = await batchesOf(0);
  const featuresBefore = featureRows(db);
  const augmented = await batchesOf(2);
  // Each training logo gains two logo → variant pairs: three times the pairs, so about three times the batches.
  const batchesFor = (pairs: number) => planBatches(Array.from({ length: pairs }, (_, i) => i), 4).length;
  expect(plain).toEqual([batchesFor(trainPairs)]);
  expect(augmented).toEqual([batchesFor(trainPairs * 3)]);
  expect(augmented[0]).toBeGreaterThan(plain[0]);
  // The variants went through the backbone (head mode caches each image's features by its hash): two per logo.
  expect(featureRows(db) - featuresBefore).toBe(trainPairs * 2);
  const made = fs.readdirSync(path.join(tmp.dir, 'catalog.sqlite.d', 'augment'));
  expect(fs.existsSync(path.join(tmp.dir, 'augment'))).toBe(false);
  expect(made.filter((f) => f.endsWith('.jpg'))).toHaveLength(trainPairs * 2);
  // Made once: a second run with the same seed reuses the files and the cached features.
  await batchesOf(2);
  expect(fs.readdirSync(path.join(tmp.dir, 'catalog.sqlite.d', 'augment'))).toEqual(made);
  expect(featureRows(db) - featuresBefore).toBe(trainPairs * 2);
  db.close();
});

function featureRows(db: ReturnType<typeof openCatalog>): number {
  return db.prepare('SELECT COUNT(*) FROM feature_cache').pluck().get() as number;
}

function listTrain(db: ReturnType<typeof openCatalog>): number {
  return db.prepare("SELECT COUNT(*) FROM pairs WHERE split = 'train'").pluck().get() as number;
}
