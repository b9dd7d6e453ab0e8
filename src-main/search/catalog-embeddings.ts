import type { Db } from '../catalog/open-catalog.ts';
import { BruteForceIndex } from '../ml/vector-index.ts';
import type { Embedder } from '../model-store/embedder.ts';

/** The catalog images an embedder has vectors for, searchable. */
export interface CatalogVectors {
  index: BruteForceIndex<number>;
  embedderKey: string;
}

/**
 * Makes sure every image that belongs to a pair has its vector for this embedder in the catalog, computing only
 * the missing ones (a new import adds a few, not all), and returns them as a search index. `vectors` is the
 * index from a previous call for the same embedder, grown in place instead of being reloaded.
 */
export async function ensureCatalogVectors(
  db: Db,
  embedder: Embedder,
  opts: { vectors?: CatalogVectors; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<CatalogVectors> {
  const missing = db
    .prepare(
      `SELECT i.id, i.sha256, COALESCE(
          (SELECT left_path FROM pairs WHERE left_image_id = i.id LIMIT 1),
          (SELECT right_path FROM pairs WHERE right_image_id = i.id LIMIT 1)) AS path
         FROM images i
        WHERE (EXISTS (SELECT 1 FROM pairs WHERE left_image_id = i.id) OR EXISTS (SELECT 1 FROM pairs WHERE right_image_id = i.id))
          AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.embedder = ? AND e.image_id = i.id)
        ORDER BY i.id`,
    )
    .all(embedder.key) as Array<{ id: number; sha256: string; path: string }>;
  const put = db.prepare('INSERT OR REPLACE INTO embeddings (image_id, embedder, vector) VALUES (?, ?, ?)');
  const CHUNK = 64;
  for (let b = 0; b < missing.length; b += CHUNK) {
    opts.signal?.throwIfAborted();
    const chunk = missing.slice(b, b + CHUNK);
    const vectors = await embedder.embed(chunk.map(({ sha256, path }) => ({ sha256, path })), { signal: opts.signal });
    db.transaction(() => {
      chunk.forEach((img, j) => {
        const v = vectors.subarray(j * embedder.dim, (j + 1) * embedder.dim);
        put.run(img.id, embedder.key, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      });
    }).immediate();
    opts.onProgress?.(Math.min(b + CHUNK, missing.length), missing.length);
  }
  const rows = db.prepare('SELECT image_id AS id, vector FROM embeddings WHERE embedder = ? ORDER BY image_id').all(embedder.key) as Array<{ id: number; vector: Buffer }>;
  // Images removed since (a dataset deleted, a re-import that dropped pairs) may have their ids reused by new
  // images: an id that was missing a vector, or has none now, makes the kept index stale, so it is rebuilt.
  const stale = opts.vectors !== undefined && (missing.some((m) => opts.vectors!.index.has(m.id)) || opts.vectors.index.size !== countKept(opts.vectors, rows));
  const vectors =
    opts.vectors?.embedderKey === embedder.key && !stale ? opts.vectors : { index: new BruteForceIndex<number>({ dim: embedder.dim }), embedderKey: embedder.key };
  for (const r of rows) {
    if (vectors.index.has(r.id)) continue;
    vectors.index.add(r.id, new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)));
  }
  return vectors;
}

/** How many of the kept index's ids still have a vector row (all of them, unless images were removed). */
function countKept(vectors: CatalogVectors, rows: Array<{ id: number }>): number {
  let n = 0;
  for (const r of rows) if (vectors.index.has(r.id)) n++;
  return n;
}
