import fs from 'node:fs/promises';
import type { Db } from '../catalog/open-catalog.ts';
import { pairsWithImages } from '../catalog/datasets.ts';
import { embeddingLookup } from '../catalog/embeddings.ts';
import type { Side } from '../../src-shared/catalog-types.ts';

/** One exported image: where it sits in the dataset, and its vector. */
export interface EmbeddingRow {
  imageId: number;
  dataset: string;
  pair: string;
  side: Side;
  path: string;
  vector: Float32Array;
}

/**
 * The dataset's images, pair by pair (left, then right), with their vectors for `embedderKey` from the catalog.
 * An image used in two places of the dataset is listed in both, so every row's pair and side are true.
 * @throws Error when an image has no vector yet (call ensureCatalogVectors first).
 */
export function datasetEmbeddingRows(db: Db, datasetId: number, embedderKey: string): EmbeddingRow[] {
  const vectorFor = embeddingLookup(db, embedderKey);
  const vectorOf = (imageId: number): Float32Array => {
    const vector = vectorFor(imageId);
    if (!vector) throw new Error(`image ${imageId} has no ${embedderKey} vector in the catalog`);
    return vector;
  };
  return pairsWithImages(db, { datasetId }).flatMap((p) =>
    (['left', 'right'] as const).map((side) => ({
      imageId: p[side].imageId,
      dataset: p.datasetName,
      pair: p.name,
      side,
      path: p[side].path,
      vector: vectorOf(p[side].imageId),
    })),
  );
}

/** The shortest decimal that reads back as the same float32: 0.1 rather than 0.10000000149011612. */
export function float32String(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let digits = 1; digits < 9; digits++) {
    const s = Number(v.toPrecision(digits));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

/** A CSV field per RFC 4180: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const ROWS_PER_WRITE = 256;

/** Writes `image_id,dataset,pair,side,path,v0,…,v{dim-1}`, one line per row (CRLF-free, UTF-8). */
export async function writeEmbeddingsCsv(file: string, rows: EmbeddingRow[], dim: number): Promise<void> {
  const out = await fs.open(file, 'w');
  try {
    const header = ['image_id', 'dataset', 'pair', 'side', 'path', ...Array.from({ length: dim }, (_, i) => `v${i}`)];
    await out.write(`${header.join(',')}\n`);
    for (let b = 0; b < rows.length; b += ROWS_PER_WRITE) {
      const lines = rows.slice(b, b + ROWS_PER_WRITE).map((r) =>
        [r.imageId, csvField(r.dataset), csvField(r.pair), r.side, csvField(r.path), ...Array.from(r.vector, float32String)].join(','),
      );
      await out.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await out.close();
  }
}

/** The same rows as JSON: `{ run, embedder, dim, images: [{ image_id, dataset, pair, side, path, vector }] }`. */
export async function writeEmbeddingsJson(file: string, meta: { run: number; embedder: string; dim: number }, rows: EmbeddingRow[]): Promise<void> {
  const out = await fs.open(file, 'w');
  try {
    await out.write(`{"run":${meta.run},"embedder":${JSON.stringify(meta.embedder)},"dim":${meta.dim},"images":[\n`);
    for (let b = 0; b < rows.length; b += ROWS_PER_WRITE) {
      const lines = rows.slice(b, b + ROWS_PER_WRITE).map((r) => {
        const head = JSON.stringify({ image_id: r.imageId, dataset: r.dataset, pair: r.pair, side: r.side, path: r.path }).slice(0, -1);
        // Non-finite values are not JSON: they become null (a healthy embedder never produces them).
        return `${head},"vector":[${Array.from(r.vector, (v) => (Number.isFinite(v) ? float32String(v) : 'null')).join(',')}]}`;
      });
      await out.write(`${lines.join(',\n')}${b + ROWS_PER_WRITE < rows.length ? ',' : ''}\n`);
    }
    await out.write(']}\n');
  } finally {
    await out.close();
  }
}
