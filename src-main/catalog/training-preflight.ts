/**
 * What a training of a dataset will work with, counted before it starts: how much of the dataset the feature cache
 * already holds per extractor (what the one-time feature extraction still has to compute), and its splits
 * (handlers/training-estimate.ts turns them into the training form's estimate and warnings).
 */
import type { Db } from './open-catalog.ts';
import type { Split } from '../../src-shared/catalog-types.ts';

/** A dataset's distinct images (by content), and per extractor key how many of them have cached features. */
export interface CacheCoverage {
  images: number;
  byExtractor: Array<{ extractor: string; cached: number }>;
  /** Training pairs of the dataset (each logo gets its synthetic look-alikes). */
  trainPairs: number;
}

/** Counts, without reading a single feature blob. */
export function cacheCoverage(db: Db, datasetId: number): CacheCoverage {
  const hashes = `SELECT i.sha256 FROM images i WHERE i.id IN (SELECT left_image_id FROM pairs WHERE dataset_id = @d UNION SELECT right_image_id FROM pairs WHERE dataset_id = @d)`;
  const images = db.prepare(`SELECT COUNT(*) FROM (${hashes})`).pluck().get({ d: datasetId }) as number;
  const byExtractor = db
    .prepare(`SELECT extractor, COUNT(*) AS cached FROM feature_cache WHERE sha256 IN (${hashes}) GROUP BY extractor`)
    .all({ d: datasetId }) as Array<{ extractor: string; cached: number }>;
  const trainPairs = db.prepare(`SELECT COUNT(*) FROM pairs WHERE dataset_id = ? AND split = 'train'`).pluck().get(datasetId) as number;
  return { images, byExtractor, trainPairs };
}

/** A dataset's pairs per split (what a run trains, validates and tests on). */
export function splitCounts(db: Db, datasetId: number): Record<Split, number> {
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const rows = db.prepare('SELECT split, COUNT(*) AS n FROM pairs WHERE dataset_id = ? GROUP BY split').all(datasetId) as Array<{ split: Split; n: number }>;
  for (const r of rows) counts[r.split] = r.n;
  return counts;
}
