import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { resumeRun, trainNewRun } from '../../src-main/training/train-run.ts';
import { claimRun, finishRun, getRun, listRuns, loadCheckpoint, renewLease } from '../../src-main/catalog/runs.ts';
import { checkpointLoader } from '../../src-main/model-store/checkpoint-io.ts';
import { trainInWorker } from '../../src-main/training/train-in-worker.ts';
import { loadMobileNetV2 } from '../../src-main/ml/backbones/mobilenetv2.ts';
import { runEmbedder } from '../../src-main/model-store/embedder.ts';
import type { TrainProgress, TrainRequest } from '../../src-shared/training-types.ts';
import { noisyJpeg, tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

// MobileNetV2 at its smallest input keeps feature extraction to seconds; the head is what trains.
// `final` features and the original's MLP head: these tests are about the loop, the catalog and finetune's layers.
const FAST: TrainRequest = { backbone: 'mobilenetv2', features: 'final', head: 'mlp', inputSize: 32, epochs: 2, batchSize: 8, learningRate: 1e-3, seed: 7, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let dbFile: string;
let db: Db;

beforeAll(async () => {
  tmp = tempDir();
  dbFile = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(dbFile);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 24), { name: 'tiny' });
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

describe('training runs', () => {
  it('trains, lowers the loss, and keeps the run, its epochs and its weights in the catalog across a restart', async () => {
    const progress: TrainProgress[] = [];
    const logs: string[] = [];
    const run = await trainNewRun(db, 'tiny', { ...FAST, epochs: 6, mining: 'hard' }, { onProgress: (p) => progress.push(p), log: (l) => logs.push(l) });
    expect(run.status).toBe('done');
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    // Hard negatives: the loss on the hardest pair of each batch, which falls as the pairs separate.
    expect(run.epochs.at(-1)!.loss).toBeLessThan(run.epochs[0].loss * 0.5);
    expect(run.backend).toMatch(/^(wasm|cpu|tensorflow|tensorflow-gpu) \((cpu|gpu)\)$/);
    expect(logs.some((l) => l.startsWith('backend: '))).toBe(true);
    expect(run.config).toMatchObject({ backbone: 'mobilenetv2', mode: 'head', mining: 'hard', distance: 'cosine', margin: 0.5, epochs: 6 });
    expect(run.weightsSource).toMatch(/nsfwjs@.* mobilenet_v2/);
    expect(progress.some((p) => p.phase === 'features')).toBe(true);
    const batches = progress.filter((p) => p.phase === 'train');
    expect(batches.at(-1)).toMatchObject({ epoch: 6, epochs: 6 });

    db.close();
    db = openCatalog(dbFile);
    expect(getRun(db, run.id)).toEqual(run);
    const cp = loadCheckpoint(db, run.id)!;
    expect(cp.epoch).toBe(6);
    // The stored weights load back into a model that embeds onto the unit sphere.
    const model = await tf.loadLayersModel(checkpointLoader(cp));
    const inputShape = model.inputs[0].shape.slice(1) as number[];
    const out = tf.tidy(() => model.predict(tf.randomNormal([3, ...inputShape], 0, 1, 'float32', 1)) as tf.Tensor);
    const norms = (await tf.norm(out, 2, 1).data()) as Float32Array;
    for (const n of norms) expect(n).toBeCloseTo(1, 4);
    out.dispose();
    model.dispose();
  });

  it('cancel keeps the finished epochs; resume continues exactly where an uninterrupted run would be', async () => {
    const straight = await trainNewRun(db, 'tiny', { ...FAST, epochs: 4 });
    const controller = new AbortController();
    const cancelled = await trainNewRun(db, 'tiny', { ...FAST, epochs: 4 }, { signal: controller.signal, onEpoch: (_id, row) => row.epoch === 2 && controller.abort() });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(listRuns(db).find((r) => r.id === cancelled.id)!.status).toBe('cancelled');

    const resumed = await resumeRun(db, cancelled.id);
    expect(resumed.status).toBe('done');
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 4; i++) expect(resumed.epochs[i].loss).toBeCloseTo(straight.epochs[i].loss, 5);
    // Without early stopping the resumed run's model is its last epoch's, not the one it was resumed from.
    expect(resumed.modelEpoch).toBe(4);
    expect(resumed.metrics?.test).toEqual(straight.metrics?.test);
    await expect(resumeRun(db, resumed.id)).rejects.toThrow(/already done/);
  });

  it('an interrupted run (its process gone) is shown as such and can be resumed', async () => {
    const controller = new AbortController();
    const run = await trainNewRun(db, 'tiny', { ...FAST, epochs: 3 }, { signal: controller.signal, onEpoch: () => controller.abort() });
    // What a crash leaves behind: still "running", its owner's last heartbeat older than the lease.
    db.prepare(`UPDATE runs SET status = 'running', pid = 2147483646, finished_at = NULL, lease_owner = 'dead', heartbeat_at = ? WHERE id = ?`).run(Date.now() - 10 * 60_000, run.id);
    expect(getRun(db, run.id)).toMatchObject({ status: 'running', interrupted: true, epochsDone: 1 });
    const resumed = await resumeRun(db, run.id);
    expect(resumed).toMatchObject({ status: 'done', epochsDone: 3, interrupted: false });
  });

  it('fails clearly, and records the failure, when an image vanished since the import', async () => {
    const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'fragile'), 6);
    // New content, so no cached features stand in for the file that is about to go.
    fs.writeFileSync(path.join(folder, 'right', 'logo03.jpg'), await noisyJpeg(64, 64, 3));
    await importFolder(db, folder, { name: 'fragile' });
    fs.rmSync(path.join(folder, 'right', 'logo03.jpg'));
    await expect(trainNewRun(db, 'fragile', FAST)).rejects.toThrow(/logo03\.jpg/);
    const [run] = listRuns(db, { datasetId: 2 });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/logo03\.jpg/);
  });

  it('finetune mode trains the backbone from its freeze point on and keeps the layers before it', async () => {
    const run = await trainNewRun(db, 'tiny', { ...FAST, mode: 'finetune', epochs: 2, batchSize: 6 });
    expect(run).toMatchObject({ status: 'done', epochsDone: 2, config: { mode: 'finetune' } });
    const trained = await tf.loadLayersModel(checkpointLoader(loadCheckpoint(db, run.id)!));
    const original = (await loadMobileNetV2({ inputSize: 32 })).model;
    const weightsOf = (m: tf.LayersModel, layer: string) => m.getLayer(layer).getWeights()[0].dataSync();
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(maxDiff(weightsOf(trained, 'Conv1'), weightsOf(original, 'Conv1'))).toBe(0); // before block_14_expand: frozen
    expect(maxDiff(weightsOf(trained, 'block_16_project'), weightsOf(original, 'block_16_project'))).toBeGreaterThan(1e-6);
    trained.dispose();
    original.dispose();
  });

  it('a resumed finetune run keeps the frozen layers, batch-norm statistics included', async () => {
    const controller = new AbortController();
    const run = await trainNewRun(db, 'tiny', { ...FAST, mode: 'finetune', epochs: 2, batchSize: 6 }, { signal: controller.signal, onEpoch: () => controller.abort() });
    expect(run.status).toBe('cancelled');
    const resumed = await resumeRun(db, run.id);
    expect(resumed).toMatchObject({ status: 'done', epochsDone: 2 });
    const trained = await tf.loadLayersModel(checkpointLoader(loadCheckpoint(db, run.id)!));
    const original = (await loadMobileNetV2({ inputSize: 32 })).model;
    // moving_mean / moving_variance of a frozen batch norm: tfjs updates them in training mode unless patched.
    const stats = (m: tf.LayersModel) => m.getLayer('bn_Conv1').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
    expect(stats(trained)).toEqual(stats(original));
    trained.dispose();
    original.dispose();
  });

  it('only one of two resumes of the same run claims it', () => {
    const [run] = listRuns(db);
    db.prepare("UPDATE runs SET status = 'cancelled', pid = NULL WHERE id = ?").run(run.id);
    const seen = { id: run.id, status: 'cancelled' as const };
    expect(claimRun(db, seen, 'cpu (cpu)', { owner: 'a' })).toBeNull();
    expect(claimRun(db, seen, 'cpu (cpu)', { owner: 'b' })).toBe('RUN_BUSY');
    expect(getRun(db, run.id).status).toBe('running');
    db.prepare("UPDATE runs SET status = ?, pid = NULL WHERE id = ?").run(run.status, run.id);
  });

  it('resume refuses a run whose owner still renews its lease, and --force takes it over', async () => {
    const controller = new AbortController();
    const run = await trainNewRun(db, 'tiny', { ...FAST, epochs: 2 }, { signal: controller.signal, onEpoch: () => controller.abort() });
    // Another process holds it: a fresh heartbeat, whatever its pid and host say.
    db.prepare("UPDATE runs SET status = 'running', pid = 1, host = 'elsewhere', lease_owner = 'other', heartbeat_at = ? WHERE id = ?").run(Date.now(), run.id);
    await expect(resumeRun(db, run.id)).rejects.toMatchObject({ code: 'RUN_BUSY', message: expect.stringContaining(`resume ${run.id} --force`) });
    const resumed = await resumeRun(db, run.id, { force: true });
    expect(resumed).toMatchObject({ status: 'done', epochsDone: 2 });
    // The previous owner comes back: its lease is gone, so it may neither renew nor end the run.
    expect(renewLease(db, run.id, 'other')).toBe(false);
    expect(finishRun(db, run.id, 'failed', 'late', 'other')).toBe(false);
    expect(getRun(db, run.id).status).toBe('done');
  });

  it('refuses bad hyperparameters and too-small datasets before starting a run', async () => {
    const before = listRuns(db).length;
    await expect(trainNewRun(db, 'tiny', { ...FAST, batchSize: 1 })).rejects.toThrow(/--batch-size must be a whole number ≥ 2/);
    await expect(trainNewRun(db, 'tiny', { ...FAST, learningRate: 3 })).rejects.toThrow(/--lr/);
    await expect(trainNewRun(db, 'nope', FAST)).rejects.toThrow(/no dataset named "nope"/);
    const one = await makeTinyPairedFolder(path.join(tmp.dir, 'one'), 1);
    await importFolder(db, one, { name: 'one' });
    await expect(trainNewRun(db, 'one', FAST)).rejects.toThrow(/needs at least 2/);
    expect(listRuns(db)).toHaveLength(before);
  });

  it('runs in a worker thread with the same hooks, and cancels there', async () => {
    const epochs: number[] = [];
    let runId = 0;
    const controller = new AbortController();
    const run = await trainInWorker(dbFile, { kind: 'new', dataset: 'tiny', request: { ...FAST, epochs: 5 } }, {
      signal: controller.signal,
      onRunCreated: (id) => (runId = id),
      onEpoch: (_id, row) => {
        epochs.push(row.epoch);
        if (row.epoch === 2) controller.abort();
      },
    });
    expect(run.id).toBe(runId);
    expect(run.status).toBe('cancelled');
    expect(epochs.slice(0, 2)).toEqual([1, 2]);
    expect(run.epochs.length).toBe(epochs.length);
    await expect(trainInWorker(dbFile, { kind: 'resume', runId: 99999 })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });
});

// After the tests above: the backend line is logged once per process, and the first of them checks it.
describe('the default head', () => {
  it('by default fits the learned-whitening head on the backbone\'s measured-best features, and embeds with it', async () => {
    const run = await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 1, augment: 0 });
    expect(run).toMatchObject({ status: 'done', config: { head: 'whitened', features: 'mid-multi-gem-polarity' } });
    const model = await tf.loadLayersModel(checkpointLoader(loadCheckpoint(db, run.id)!));
    // 416 recipe values (blocks 9–13, GeM) → the 256-d whitened embedding.
    expect(model.getLayer('head_whitening').getWeights()[0].shape).toEqual([416, 256]);
    model.dispose();
    const embedder = await runEmbedder(db, run.id);
    const images = db.prepare('SELECT sha256, path FROM images LIMIT 3').all() as { sha256: string; path: string }[];
    const vectors = await embedder.embed(images);
    embedder.dispose();
    expect(vectors.length).toBe(3 * 256);
    for (let i = 0; i < 3; i++) expect(Math.hypot(...vectors.subarray(i * 256, (i + 1) * 256))).toBeCloseTo(1, 4);
  });
});
