/**
 * How much of a dataset the feature cache already holds, per extractor: what a training's one-time feature
 * extraction still has to compute (handlers/feature-estimate.ts turns it into an estimate).
 */
import type { Db } from './open-catalog.ts';

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
