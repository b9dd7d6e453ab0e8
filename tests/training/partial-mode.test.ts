import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { pairsWithImages } from '../../src-main/catalog/datasets.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { resumeRun, trainNewRun } from '../../src-main/training/train-run.ts';
import { loadCheckpoint } from '../../src-main/catalog/runs.ts';
import { checkpointLoader } from '../../src-main/model-store/checkpoint-io.ts';
import { runEmbedder } from '../../src-main/model-store/embedder.ts';
import { runImageModel } from '../../src-main/export/embedding-model.ts';
import { readImageBatch } from '../../src-main/ml/image-tensor.ts';
import type { TrainRequest } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

const PARTIAL: TrainRequest = { backbone: 'mobilenetv2', features: 'final', head: 'mlp', mode: 'partial', inputSize: 32, epochs: 3, batchSize: 8, learningRate: 1e-3, seed: 7, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let db: Db;
beforeAll(async () => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 16), { name: 'tiny' });
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

it('--mode partial caches the prefix once per image, trains the last blocks and the head, and embeds as the whole net would', async () => {
  const run = await trainNewRun(db, 'tiny', PARTIAL);
  expect(run).toMatchObject({ status: 'done', config: { mode: 'partial', batchSize: 8 } });
  expect(run.epochs.at(-1)!.loss).toBeLessThan(run.epochs[0].loss);
  // What is cached is block 13's activation (the input of the first trainable block), not the final feature.
  const keys = db.prepare('SELECT DISTINCT extractor, shape FROM feature_cache').all() as { extractor: string; shape: string }[];
  expect(keys).toEqual([{ extractor: expect.stringMatching(/^mobilenetv2@32:.*:cut=block_13_project_BN$/), shape: '[1,1,160]' }]);
  const images = db.prepare('SELECT COUNT(*) FROM feature_cache').pluck().get();
  // Stored as float16: two bytes a value.
  expect(db.prepare('SELECT DISTINCT length(features) FROM feature_cache').pluck().all()).toEqual([160 * 2]);
  // The stored model starts at the cut and holds the trained blocks 14–16 (their weights moved off ImageNet's).
  const checkpoint = loadCheckpoint(db, run.id)!;
  const stored = await tf.loadLayersModel(checkpointLoader(checkpoint));
  expect(stored.inputs[0].shape).toEqual([null, 1, 1, 160]);
  expect(stored.layers.some((l) => l.name === 'block_16_project')).toBe(true);
  stored.dispose();

  // Queries (cached prefix + stored model) and the export (whole image → embedding model) agree within 1e-4.
  const pairs = pairsWithImages(db, { datasetId: run.datasetId }).slice(0, 4);
  const embedder = await runEmbedder(db, run.id);
  const viaCache = await embedder.embed(pairs.map((p) => ({ sha256: p.left.sha256, path: p.left.path })));
  embedder.dispose();
  const whole = await runImageModel(db, run);
  const raw = await readImageBatch(pairs.map((p) => p.left.path), 32);
  const direct = tf.tidy(() => whole.model.predict(whole.backbone.preprocess(raw)) as tf.Tensor);
  const d = (await direct.data()) as Float32Array;
  let maxDiff = 0;
  d.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - viaCache[i]))));
  expect(maxDiff).toBeLessThanOrEqual(1e-4);
  tf.dispose([raw, direct]);
  whole.dispose();

  // A resumed partial run reuses the cached activations: no new rows.
  const controller = new AbortController();
  const cancelled = await trainNewRun(db, 'tiny', { ...PARTIAL, epochs: 2 }, { signal: controller.signal, onEpoch: () => controller.abort() });
  expect(cancelled.status).toBe('cancelled');
  const resumed = await resumeRun(db, cancelled.id);
  expect(resumed).toMatchObject({ status: 'done', epochsDone: 2 });
  expect(db.prepare('SELECT COUNT(*) FROM feature_cache').pluck().get()).toBe(images);
});
