import type { Db } from '../catalog/open-catalog.ts';
import { imagesWithoutEmbedding, loadEmbeddings, storeEmbeddings } from '../catalog/embeddings.ts';
import { CatalogIndex, indexFolderFor } from './catalog-index.ts';
import type { Embedder } from '../model-store/embedder.ts';

/** The catalog images an embedder has vectors for, searchable. */
export interface CatalogVectors {
  index: CatalogIndex;
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
  const missing = imagesWithoutEmbedding(db, embedder.key);
  const CHUNK = 64;
  for (let b = 0; b < missing.length; b += CHUNK) {
    opts.signal?.throwIfAborted();
    const chunk = missing.slice(b, b + CHUNK);
    const vectors = await embedder.embed(chunk.map(({ sha256, path }) => ({ sha256, path })), { signal: opts.signal });
    storeEmbeddings(db, embedder.key, chunk.map((img, j) => ({ imageId: img.id, vector: vectors.subarray(j * embedder.dim, (j + 1) * embedder.dim) })));
    opts.onProgress?.(Math.min(b + CHUNK, missing.length), missing.length);
  }
  const rows = loadEmbeddings(db, embedder.key);
  // Images removed since (a dataset deleted, a re-import that dropped pairs) may have their ids reused by new
  // images: an id that was missing a vector, or has none now, makes the kept index stale, so it is rebuilt.
  const kept = opts.vectors;
  const stale = kept !== undefined && (missing.some((m) => kept.index.has(m.id)) || kept.index.size !== rows.filter((r) => kept.index.has(r.imageId)).length);
  const vectors =
    kept?.embedderKey === embedder.key && !stale
      ? kept
      : { index: new CatalogIndex({ dim: embedder.dim, embedderKey: embedder.key, folder: indexFolderFor(db.name) }), embedderKey: embedder.key };
  for (const r of rows) if (!vectors.index.has(r.imageId)) vectors.index.add(r.imageId, r.vector);
  vectors.index.sync();
  return vectors;
}

