import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { storeCachedFeatures } from '../../src-main/catalog/feature-cache.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { extractorKey } from '../../src-main/model-store/feature-cache.ts';
import type { Backbone } from '../../src-main/ml/backbones/backbone.ts';
import { estimateFeatures, FeatureRates, parseExtractorKey } from '../../src-main/handlers/feature-estimate.ts';
import type { TrainConfig, TrainProgress } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

const backbone = (b: Partial<Backbone>) => ({ id: 'mobilenetv2', inputSize: 224, weightsSource: 'bundled', ...b }) as Backbone;
const features = (done: number, total: number): TrainProgress => ({ phase: 'features', done, total });
const config = (c: Partial<TrainConfig>) => () => ({ backbone: 'mobilenetv2', mode: 'head', features: 'final', ...c }) as TrainConfig;

describe('feature-cache keys', () => {
  it('reads back what extractorKey writes: backbone, recipe, and whether it is a partial-mode prefix', () => {
    expect(parseExtractorKey(extractorKey(backbone({})))).toEqual({ backbone: 'mobilenetv2', recipe: 'final', partial: false });
    expect(parseExtractorKey(extractorKey(backbone({ id: 'resnet50', recipe: 'mid-multi-gem-polarity' })))).toEqual({ backbone: 'resnet50', recipe: 'mid-multi-gem-polarity', partial: false });
    expect(parseExtractorKey(extractorKey(backbone({ cutAt: 'block_13_expand' })))).toEqual({ backbone: 'mobilenetv2', recipe: 'final', partial: true });
    expect(parseExtractorKey(extractorKey(backbone({ recipe: 'late-max-grey', cutAt: 'block_13_expand' })))).toEqual({ backbone: 'mobilenetv2', recipe: 'late-max-grey', partial: true });
    expect(parseExtractorKey('something else')).toBeNull();
  });
});

describe('FeatureRates', () => {
  it('times an extraction from its first features event to its last, per backbone, recipe and mode', () => {
    let t = 1000;
    const rates = new FeatureRates(() => t);
    rates.observe('a', { phase: 'prepare', message: 'loading' }, config({}));
    rates.observe('a', features(10, 110), config({})); // 10 cached: the clock starts here
    t += 4000;
    rates.observe('a', features(60, 110), config({}));
    t += 6000;
    rates.observe('a', features(110, 110), config({}));
    expect(rates.rateFor('mobilenetv2', 'final', 'head')).toBeNull(); // still extracting
    rates.observe('a', { phase: 'prepare', message: 'building the model' }, config({}));
    expect(rates.rateFor('mobilenetv2', 'final', 'head')).toEqual({ secondsPerImage: 0.1, measuredOn: 'mobilenetv2 · final · head' });
    expect(rates.rateFor(undefined, 'final', 'head')?.secondsPerImage).toBe(0.1);
    expect(rates.rateFor('resnet50', 'final', 'head')).toBeNull();
    expect(rates.rateFor('mobilenetv2', 'final', 'partial')).toBeNull();
  });

  it('keeps nothing from an extraction of fewer images than a batch (everything was cached) or of an unknown run', () => {
    let t = 0;
    const rates = new FeatureRates(() => t);
    rates.observe('a', features(100, 104), config({}));
    t += 1000;
    rates.observe('a', features(104, 104), config({}));
    rates.settle('a', config({}));
    rates.observe('b', features(0, 50), () => undefined);
    t += 1000;
    rates.observe('b', features(50, 50), () => undefined);
    rates.settle('b', () => undefined);
    expect(rates.rateFor(undefined, 'final', 'head')).toBeNull();
  });
});

describe('estimateFeatures', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  let datasetId: number;
  beforeAll(async () => {
    tmp = tempDir();
    db = openCatalog(path.join(tmp.dir, 'c.sqlite'));
    datasetId = (await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'logos'), 10), { name: 'logos' })).dataset.id;
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  it('counts the images without cached features for the extractor asked for, and says the time is unknown until measured', () => {
    const shas = db.prepare('SELECT sha256 FROM images ORDER BY id').pluck().all() as string[];
    const images = new Set(shas).size;
    const trainPairs = db.prepare("SELECT COUNT(*) FROM pairs WHERE split = 'train'").pluck().get() as number;
    const rates = new FeatureRates();
    const fresh = estimateFeatures(db, rates, { datasetId, backbone: 'mobilenetv2', mode: 'head', augment: 2 });
    expect(fresh).toEqual({ extracts: true, images, uncached: images, synthetic: 2 * trainPairs, secondsPerImage: null, measuredOn: null });

    const key = extractorKey(backbone({}));
    storeCachedFeatures(db, key, [2], shas.slice(0, 6).map((sha256) => ({ sha256, features: new Float32Array(2) })));
    expect(estimateFeatures(db, rates, { datasetId, backbone: 'mobilenetv2', mode: 'head', features: 'final' }).uncached).toBe(images - 6);
    // No recipe asked for: the backbone's measured best, of which nothing is cached yet.
    expect(estimateFeatures(db, rates, { datasetId, backbone: 'mobilenetv2', mode: 'head' }).uncached).toBe(images);
    // Without a backbone, the best-covered one counts; another recipe, mode or backbone has nothing cached.
    expect(estimateFeatures(db, rates, { datasetId, features: 'final' }).uncached).toBe(images - 6);
    expect(estimateFeatures(db, rates, { datasetId, backbone: 'resnet50' }).uncached).toBe(images);
    expect(estimateFeatures(db, rates, { datasetId, features: 'late-max-grey' }).uncached).toBe(images);
    expect(estimateFeatures(db, rates, { datasetId, mode: 'partial' }).uncached).toBe(images);
    expect(estimateFeatures(db, rates, { datasetId, mode: 'finetune' })).toMatchObject({ extracts: false, uncached: 0 });
  });
});

describe('morePairsForVal', () => {
  it('is the fewest new pairs after which the importer’s split gives val the pairs calibration needs', async () => {
    const { morePairsForVal } = await import('../../src-main/handlers/training-estimate.ts');
    const { assignSplits } = await import('../../src-main/catalog/split.ts');
    const valAfter = (existing: { train: number; val: number; test: number }, k: number) =>
      existing.val + [...assignSplits(existing, Array.from({ length: k }, (_, i) => `p${i}`)).values()].filter((s) => s === 'val').length;
    for (const existing of [{ train: 6, val: 1, test: 1 }, { train: 48, val: 6, test: 6 }, { train: 0, val: 0, test: 0 }]) {
      const k = morePairsForVal(existing, 20);
      expect(valAfter(existing, k)).toBeGreaterThanOrEqual(20);
      expect(valAfter(existing, k - 1)).toBeLessThan(20);
    }
    expect(morePairsForVal({ train: 200, val: 25, test: 25 }, 20)).toBe(0);
  });
});
