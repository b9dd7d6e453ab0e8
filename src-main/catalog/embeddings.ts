/**
 * The embeddings table: each catalog image's vector under one embedder (a trained run, an untrained backbone),
 * stored as a Float32 blob. The blob codec lives here once, shared with the feature cache.
 */
import type { Db } from './open-catalog.ts';

/** A Float32Array as the bytes SQLite stores (a view, no copy). */
export function encodeFloats(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A stored blob as a Float32Array. Copied out, because a Buffer from SQLite may start at an offset that is not a
 * multiple of 4 inside a pooled ArrayBuffer, which a Float32Array view cannot.
 */
export function decodeFloats(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/** The embedder key of a trained run's vectors (`run:12`): the only spelling of it. */
export function runEmbedderKey(runId: number): string {
  return `run:${runId}`;
}

/** An image that belongs to a pair but has no vector under an embedder yet, with one of its files. */
export interface ImageToEmbed {
  id: number;
  sha256: string;
  path: string;
}

/** Every image of a pair that has no vector for `embedderKey`, by id. */
export function imagesWithoutEmbedding(db: Db, embedderKey: string): ImageToEmbed[] {
  return db
    .prepare(
      `SELECT i.id, i.sha256, COALESCE(
          (SELECT left_path FROM pairs WHERE left_image_id = i.id LIMIT 1),
          (SELECT right_path FROM pairs WHERE right_image_id = i.id LIMIT 1)) AS path
         FROM images i
        WHERE (EXISTS (SELECT 1 FROM pairs WHERE left_image_id = i.id) OR EXISTS (SELECT 1 FROM pairs WHERE right_image_id = i.id))
          AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.embedder = ? AND e.image_id = i.id)
        ORDER BY i.id`,
    )
    .all(embedderKey) as ImageToEmbed[];
}

/** Stores (or replaces) vectors for `embedderKey` in one write transaction. */
export function storeEmbeddings(db: Db, embedderKey: string, rows: ReadonlyArray<{ imageId: number; vector: Float32Array }>): void {
  const put = db.prepare('INSERT OR REPLACE INTO embeddings (image_id, embedder, vector) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) put.run(r.imageId, embedderKey, encodeFloats(r.vector));
  }).immediate();
}

/** Every stored vector for `embedderKey`, by image id. */
export function loadEmbeddings(db: Db, embedderKey: string): Array<{ imageId: number; vector: Float32Array }> {
  const rows = db.prepare('SELECT image_id AS imageId, vector FROM embeddings WHERE embedder = ? ORDER BY image_id').all(embedderKey) as Array<{ imageId: number; vector: Buffer }>;
  return rows.map((r) => ({ imageId: r.imageId, vector: decodeFloats(r.vector) }));
}

/** A lookup of one image's vector for `embedderKey`; undefined when it has none. */
export function embeddingLookup(db: Db, embedderKey: string): (imageId: number) => Float32Array | undefined {
  const get = db.prepare('SELECT vector FROM embeddings WHERE embedder = ? AND image_id = ?').pluck();
  return (imageId) => {
    const blob = get.get(embedderKey, imageId) as Buffer | undefined;
    return blob && decodeFloats(blob);
  };
}

/** Forgets every vector of `embedderKey` (a run's model changed, so its vectors are stale). */
export function deleteEmbeddings(db: Db, embedderKey: string): void {
  db.prepare('DELETE FROM embeddings WHERE embedder = ?').run(embedderKey);
}
