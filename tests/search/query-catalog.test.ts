import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { queryCatalog, QuerySession } from '../../src-main/search/query-catalog.ts';
import { markFeedback, trainingFeedback } from '../../src-main/catalog/feedback.ts';
import { evaluateFolder, evaluationJson } from '../../src-main/eval/evaluate-folder.ts';
import { f1At } from '../../src-main/ml/metrics/calibrate-threshold.ts';
import { scorePairedSets } from '../../src-main/ml/metrics/score-paired-sets.ts';
import { openSetRates } from '../../src-main/ml/metrics/open-set-calibration.ts';
import { embeddingSimilarity } from '../../src-main/ml/vectors.ts';
import { runEmbedder, untrainedEmbedder } from '../../src-main/model-store/embedder.ts';
import type { RunSummary, TrainRequest } from '../../src-shared/training-types.ts';
import { imageBytes, tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

// Pinned rather than the defaults: on 32-px toy logos this setting ranks true pairs first reliably.
// The original MLP head: on 24 tiny pairs the whitened head separates every training triplet before the first epoch
// (loss 0 with or without a mark), so only a head that starts from random weights shows the marks reaching the triplets.
const FAST: TrainRequest = { backbone: 'mobilenetv2', head: 'mlp', features: 'final', inputSize: 32, epochs: 12, batchSize: 8, learningRate: 1e-3, mining: 'hard', distance: 'l1', seed: 3, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let folder: string;
let run: RunSummary;
const session = new QuerySession();

beforeAll(async () => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 24);
  await importFolder(db, folder, { name: 'tiny' });
  run = await trainNewRun(db, 'tiny', FAST);
});
afterAll(() => {
  session.dispose();
  db.close();
  tmp.cleanup();
});

const embeddingRows = () => (db.prepare('SELECT COUNT(*) FROM embeddings WHERE embedder = ?').pluck().get(`run:${run.id}`) as number);

describe('query', () => {
  it('a finished run has test metrics, val retrieval per epoch, and no tau from a val split too small to calibrate', () => {
    // 24 pairs split 80/10/10: val and test both have pairs and every epoch measures val — but a handful of val
    // pairs is far below MIN_CALIBRATION_PAIRS, so the run stores `uncalibrated` and no threshold.
    const count = (split: string) => db.prepare('SELECT COUNT(*) FROM pairs WHERE dataset_id = 1 AND split = ?').pluck().get(split) as number;
    expect(count('val')).toBeGreaterThanOrEqual(2);
    expect(run.metrics).toMatchObject({ val: { queries: count('val') }, test: { queries: count('test') } });
    expect(run.metrics!.tau).toBeNull();
    expect(run.metrics!.calibration).toEqual({
      state: 'uncalibrated', valPairs: count('val'), minValPairs: 20, targetFalseMatchRate: 0.05, rule: null,
      falseMatchRate: null, trueMatchRate: null, valFalseMatchRate: null, valTrueMatchRate: null,
    });
    expect(run.epochs).toHaveLength(FAST.epochs!);
    for (const e of run.epochs) expect(e.val).toMatchObject({ recall1: expect.any(Number), mrr: expect.any(Number) });
    // The last epoch's val retrieval is the run's val retrieval: the same model, the same metric code.
    expect(run.epochs.at(-1)!.val!.recall1).toBe(run.metrics!.val!.recall['1']);
    expect(run.epochs.at(-1)!.val!.mrr).toBe(run.metrics!.val!.mrr);
  });

  it("ranks an image's true pair first and leaves the query image itself out", async () => {
    let hitsAtRank1 = 0;
    for (const name of ['logo00', 'logo05', 'logo10', 'logo17']) {
      const res = await queryCatalog(db, { image: { path: path.join(folder, 'right', `${name}.jpg`) }, side: 'left', top: 5 }, { session });
      expect(res.runId).toBe(run.id);
      expect(res.queryPair).toMatchObject({ datasetName: 'tiny', side: 'right', pairName: `${name}.png` });
      expect(res.hits.every((h) => h.side === 'left')).toBe(true);
      expect(res.hits.map((h) => h.score)).toEqual([...res.hits.map((h) => h.score)].sort((a, b) => b - a));
      // The run is uncalibrated: ranks and scores, but no verdict on any hit.
      expect(res).toMatchObject({ tau: null, tauSource: null, calibration: { state: 'uncalibrated' } });
      expect(res.hits.every((h) => h.match === null)).toBe(true);
      if (res.hits[0].pairName === `${name}.png`) hitsAtRank1++;
    }
    expect(hitsAtRank1).toBeGreaterThanOrEqual(3);
    const all = await queryCatalog(db, { image: { path: path.join(folder, 'right', 'logo00.jpg') }, top: 48 }, { session });
    expect(all.searched).toBe(47); // 24 pairs × 2 images, minus the query itself
    expect(all.hits.some((h) => h.side === 'right' && h.pairName === 'logo00.png')).toBe(false);
  });

  it("judges matches by the user's tau when one is given, and refuses one that is not a cosine similarity", async () => {
    const image = { path: path.join(folder, 'right', 'logo00.jpg') };
    const res = await queryCatalog(db, { image, side: 'left', top: 10, tau: 0.5 }, { session });
    expect(res).toMatchObject({ tau: 0.5, tauSource: 'user' });
    expect(res.hits.map((h) => h.match)).toEqual(res.hits.map((h) => h.score >= 0.5));
    await expect(queryCatalog(db, { image, tau: Number.NaN }, { session })).rejects.toMatchObject({ code: 'BAD_QUERY' });
    await expect(queryCatalog(db, { image, tau: 1.5 }, { session })).rejects.toMatchObject({ code: 'BAD_QUERY' });
  });

  it('embeds the catalog once, then only images that are new', async () => {
    expect(embeddingRows()).toBe(48);
    const more = path.join(tmp.dir, 'more');
    fs.mkdirSync(path.join(more, 'left'), { recursive: true });
    fs.mkdirSync(path.join(more, 'right'), { recursive: true });
    fs.writeFileSync(path.join(more, 'left', 'new.png'), await imageBytes('png', '#0ff'));
    fs.writeFileSync(path.join(more, 'right', 'new.png'), await imageBytes('png', '#0fe'));
    await importFolder(db, more, { name: 'more' });
    const progress: number[] = [];
    const res = await queryCatalog(db, { image: { path: path.join(more, 'right', 'new.png') }, top: 3 }, { session, onProgress: (_d, t) => progress.push(t) });
    expect(embeddingRows()).toBe(50);
    expect(progress.every((t) => t === 2)).toBe(true);
    const onlyMore = await queryCatalog(db, { image: { path: path.join(more, 'right', 'new.png') }, datasetId: 2 }, { session });
    expect(onlyMore.hits.map((h) => h.datasetName)).toEqual(['more']);
    expect(res.hits.length).toBe(3);
  });

  it('says why a query image cannot be used, and when there is no run', async () => {
    const text = path.join(tmp.dir, 'notes.png');
    fs.writeFileSync(text, 'just some text');
    await expect(queryCatalog(db, { image: { path: text } }, { session })).rejects.toMatchObject({ code: 'NOT_AN_IMAGE', message: expect.stringContaining('not an image') });
    await expect(queryCatalog(db, { image: { path: path.join(tmp.dir, 'nope.png') } }, { session })).rejects.toThrow(/no such file/);
    await expect(queryCatalog(db, { image: { bytesBase64: '', name: 'empty.png' } }, { session })).rejects.toThrow(/empty file/);
    const empty = openCatalog(path.join(tmp.dir, 'empty.sqlite'));
    await expect(queryCatalog(empty, { image: { path: path.join(folder, 'left', 'logo00.png') } })).rejects.toMatchObject({ code: 'NO_RUN' });
    empty.close();
  });

  it('queries with uploaded bytes give the same ranking as with the path', async () => {
    const file = path.join(folder, 'right', 'logo03.jpg');
    const byPath = await queryCatalog(db, { image: { path: file }, top: 5, datasetId: 1 }, { session });
    const byBytes = await queryCatalog(db, { image: { bytesBase64: fs.readFileSync(file).toString('base64'), name: 'x.jpg' }, top: 5, datasetId: 1 }, { session });
    expect(byBytes.hits.map((h) => h.imageId)).toEqual(byPath.hits.map((h) => h.imageId));
  });
});

describe('feedback', () => {
  it('is stored on the result, and turns into hard negatives for the next run', async () => {
    const train = db
      .prepare("SELECT left_image_id AS l, right_image_id AS r, name, right_path AS rightPath FROM pairs WHERE dataset_id = 1 AND split = 'train' ORDER BY name")
      .all() as Array<{ l: number; r: number; name: string; rightPath: string }>;
    const anchor = 1;
    const trainLeftIds = new Set(train.map((p) => p.l));
    const res = await queryCatalog(db, { image: { path: train[anchor].rightPath }, side: 'left', datasetId: 1, top: 10 }, { session });
    // The best-ranked wrong answer that is a training image: what a user would mark "not a match".
    const wrong = res.hits.find((h) => h.imageId !== train[anchor].l && trainLeftIds.has(h.imageId))!;
    expect(wrong).toBeDefined();
    markFeedback(db, { querySha256: res.querySha256, resultImageId: wrong.imageId, verdict: 'not-a-match', runId: run.id });
    const again = await queryCatalog(db, { image: { path: train[anchor].rightPath }, side: 'left', datasetId: 1, top: 10 }, { session });
    expect(again.hits.find((h) => h.imageId === wrong.imageId)!.feedback).toBe('not-a-match');
    await expect(async () => markFeedback(db, { querySha256: 'abc', resultImageId: 1, verdict: 'match' })).rejects.toThrow(/SHA-256/);

    // The mark maps onto the training pairs: the query's pair gets the marked result's pair as a negative.
    const indexOf = new Map<number, number>();
    train.forEach((p, i) => (indexOf.set(p.l, i), indexOf.set(p.r, i)));
    const other = train.findIndex((p) => p.l === wrong.imageId);
    expect(trainingFeedback(db, indexOf).extraNegatives.get(anchor)).toEqual([other]);

    // And the next run trains on other triplets than the same run (same seed) without the mark.
    const withMark = await trainNewRun(db, 'tiny', { ...FAST, epochs: 2 });
    markFeedback(db, { querySha256: res.querySha256, resultImageId: wrong.imageId, verdict: null });
    expect(trainingFeedback(db, indexOf).extraNegatives.size).toBe(0);
    const withoutMark = await trainNewRun(db, 'tiny', { ...FAST, epochs: 2 });
    expect(withMark.epochs.map((e) => e.loss)).not.toEqual(withoutMark.epochs.map((e) => e.loss));
  });

  it('a "match" mark becomes an extra training pair, never a negative', async () => {
    const train = db
      .prepare("SELECT left_image_id AS l, right_image_id AS r, right_path AS rightPath FROM pairs WHERE dataset_id = 1 AND split = 'train' ORDER BY name")
      .all() as Array<{ l: number; r: number; rightPath: string }>;
    const res = await queryCatalog(db, { image: { path: train[2].rightPath }, side: 'left', datasetId: 1, top: 3 }, { session });
    markFeedback(db, { querySha256: res.querySha256, resultImageId: train[5].l, verdict: 'match' });
    const indexOf = new Map<number, number>();
    train.forEach((p, i) => (indexOf.set(p.l, i), indexOf.set(p.r, i)));
    const fb = trainingFeedback(db, indexOf);
    expect(fb.extraPositives).toEqual([{ leftImageId: train[2].r, rightImageId: train[5].l }]);
    expect(fb.knownMatches.get(2)).toEqual([5]);
    markFeedback(db, { querySha256: res.querySha256, resultImageId: train[5].l, verdict: null });
  });
});

describe('evaluation on an outside folder', () => {
  it('measures a run and both baselines without importing anything', async () => {
    const outside = await makeTinyPairedFolder(path.join(tmp.dir, 'outside'), 8);
    fs.writeFileSync(path.join(outside, 'left', 'broken.png'), 'nope');
    fs.writeFileSync(path.join(outside, 'right', 'broken.png'), await imageBytes('png', '#123'));
    const before = db.prepare('SELECT COUNT(*) FROM images').pluck().get();
    const phash = await evaluateFolder(outside, { kind: 'phash' });
    expect(phash.scores.queries).toBe(8);
    expect(phash.problems).toContainEqual(expect.objectContaining({ side: 'left', file: 'broken.png', code: 'NOT_AN_IMAGE' }));
    expect(phash.problems).toContainEqual(expect.objectContaining({ side: 'right', file: 'broken.png', code: 'PARTNER_UNUSABLE' }));
    const untrained = await untrainedEmbedder(db, 'mobilenetv2');
    const u = await evaluateFolder(outside, { kind: 'embedder', embedder: untrained });
    untrained.dispose();
    const trained = await runEmbedder(db, run.id);
    // The run is uncalibrated, so the threshold measured at is one a user could pass.
    const t = await evaluateFolder(outside, { kind: 'embedder', embedder: trained }, { tau: 0.5 });
    trained.dispose();
    for (const e of [phash, u, t]) {
      expect(e.scores).toMatchObject({ queries: 8, gallery: 8 });
      expect(e.scores.rocAuc).toEqual(expect.any(Number));
      // The best threshold on the folder is at least as good as any other, the run's tau included.
      expect(e.bestF1).toBeGreaterThanOrEqual(e.f1AtTau ?? 0);
    }
    expect(t.f1AtTau).toBe(f1At(0.5, t.raw.positives, t.raw.allNegatives));
    const rates = openSetRates(t.raw.openSet, 0.5);
    expect(t.openSetAtTau).toEqual(rates);
    expect(u.openSetAtTau).toBeNull();
    // eval --json's open_set: at the run's tau for a run, tuned on the folder for a baseline (⌊0.05 · 8⌋ = 0 false matches).
    const tuned = { tau: t.openSetTuned!.tau, false_match_rate: 0, true_match_rate: t.openSetTuned!.trueMatchRate };
    expect(evaluationJson(t, 0.5, 'calibrated')).toMatchObject({
      tau: 0.5,
      calibration: 'calibrated',
      open_set: { tau: 0.5, false_match_rate: rates.falseMatchRate, true_match_rate: rates.trueMatchRate, target_false_match_rate: 0.05, tuned_on_this_folder: tuned },
    });
    expect(evaluationJson(t, null, 'uncalibrated').open_set).toMatchObject({ tau: null, false_match_rate: null, true_match_rate: null });
    const p = evaluationJson(phash, null, 'none').open_set;
    expect(p).toMatchObject({ tau: phash.openSetTuned!.tau, false_match_rate: 0, true_match_rate: phash.openSetTuned!.trueMatchRate });
    // The trained run's numbers are the shipped metrics on its own embeddings of the 8 usable pairs, each right
    // image ranked against the left ones (broken.png's pair left out).
    const names = fs.readdirSync(path.join(outside, 'left')).filter((f) => f !== 'broken.png').sort();
    const again = await runEmbedder(db, run.id);
    const embed = (side: string) => again.embed(names.map((f) => ({ buffer: fs.readFileSync(path.join(outside, side, f.replace(/\.png$/, side === 'right' ? '.jpg' : '.png'))) })));
    const expected = scorePairedSets(8, embeddingSimilarity(await embed('right'), await embed('left'), again.dim));
    again.dispose();
    expect(t.scores).toEqual(expected.scores);
    expect(db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(before);
  });
});
