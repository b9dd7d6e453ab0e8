import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { loadCheckpoint } from '../../src-main/catalog/runs.ts';
import { checkpointLoader } from '../../src-main/model-store/checkpoint-io.ts';
import { resolveTrainConfig } from '../../src-main/model-store/train-config.ts';
import type { TrainRequest } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

// A tiny set whose few val pairs are all retrieved after an epoch or two: val R@1 peaks early and then ties.
const FAST: TrainRequest = { backbone: 'mobilenetv2', inputSize: 32, epochs: 12, batchSize: 8, learningRate: 1e-2, seed: 5, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let db: Db;
beforeAll(async () => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 24), { name: 'tiny' });
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

async function weightsOf(runId: number): Promise<Float32Array[]> {
  const model = await tf.loadLayersModel(checkpointLoader(loadCheckpoint(db, runId)!));
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

it('stops once val R@1 has not improved for --patience epochs and keeps the best epoch as the run’s model', async () => {
  const logs: string[] = [];
  const early = await trainNewRun(db, 'tiny', { ...FAST, patience: 2 }, { log: (l) => logs.push(l) });
  const r1 = early.epochs.map((e) => e.val!.recall1);
  const best = r1.indexOf(Math.max(...r1)) + 1; // the first epoch reaching the maximum
  expect(early.status).toBe('done');
  // It peaked early and stopped `patience` epochs later, long before the 12 asked for.
  expect(early.epochsDone).toBe(best + 2);
  expect(early.epochsDone).toBeLessThan(12);
  expect(early.modelEpoch).toBe(best);
  expect(loadCheckpoint(db, early.id)!.epoch).toBe(best);
  expect(logs.some((l) => l.includes(`peaked at epoch ${best}`))).toBe(true);

  // The kept model IS the best epoch's: the same weights (and test numbers) as a run of exactly that many
  // epochs, and not those of the last epoch trained.
  const upToBest = await trainNewRun(db, 'tiny', { ...FAST, epochs: best });
  const upToLast = await trainNewRun(db, 'tiny', { ...FAST, epochs: early.epochsDone });
  const kept = await weightsOf(early.id);
  const bestWeights = await weightsOf(upToBest.id);
  const lastWeights = await weightsOf(upToLast.id);
  const maxDiff = (a: Float32Array[], b: Float32Array[]) => {
    let m = 0;
    a.forEach((w, i) => w.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
    return m;
  };
  expect(maxDiff(kept, bestWeights)).toBeLessThan(1e-6);
  expect(maxDiff(kept, lastWeights)).toBeGreaterThan(1e-4);
  expect(early.metrics?.test?.recall).toEqual(upToBest.metrics?.test?.recall);
  expect(upToLast.modelEpoch).toBe(early.epochsDone);
});

it('patience 0 (the default) trains every epoch; the option is bounded like every other', () => {
  expect(resolveTrainConfig({}, { device: 'cpu' }, 'mobilenetv2').patience).toBe(0);
  expect(() => resolveTrainConfig({ patience: -1 }, { device: 'cpu' }, 'mobilenetv2')).toThrow(/--patience/);
});
