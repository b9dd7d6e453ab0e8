/**
 * The feature_cache table: a frozen backbone's features of one image (by content hash and extractor key), so the
 * backbone runs over each image once however many runs train on it.
 */
import { decodeFloats, encodeFloats } from './embeddings.ts';
import { decodeHalves, encodeHalves } from './float16.ts';

/** How cached values are stored: float32, or float16 (half the bytes; partial mode's prefix activations). */
export type CachePrecision = 'f32' | 'f16';
import type { Db } from './open-catalog.ts';

/**
 * The cached features of each image hash, in the order given; undefined where none is cached or where the stored
 * one has another length than `size` (a cache written by a different extractor build).
 */
export function readCachedFeatures(db: Db, extractor: string, sha256s: readonly string[], size: number, precision: CachePrecision = 'f32'): Array<Float32Array | undefined> {
  const get = db.prepare('SELECT features FROM feature_cache WHERE sha256 = ? AND extractor = ?').pluck();
  const bytes = precision === 'f16' ? 2 : 4;
  return sha256s.map((sha) => {
    const blob = get.get(sha, extractor) as Buffer | undefined;
    if (!blob || blob.byteLength !== size * bytes) return undefined;
    return precision === 'f16' ? decodeHalves(blob) : decodeFloats(blob);
  });
}

/** Stores (or replaces) features of images in one write transaction. */
export function storeCachedFeatures(
  db: Db,
  extractor: string,
  shape: readonly number[],
  rows: ReadonlyArray<{ sha256: string; features: Float32Array }>,
  precision: CachePrecision = 'f32',
): void {
  const encode = precision === 'f16' ? encodeHalves : encodeFloats;
  const put = db.prepare('INSERT OR REPLACE INTO feature_cache (sha256, extractor, shape, features) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) put.run(r.sha256, extractor, JSON.stringify(shape), encode(r.features));
  }).immediate();
}
