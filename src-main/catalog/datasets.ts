import type { Db } from './open-catalog.ts';
import type { DatasetSummary, PairImage, PairRow, ProblemRow, Split } from '../../src-shared/catalog-types.ts';

export type { DatasetSummary, PairRow, ProblemRow, Side, Split } from '../../src-shared/catalog-types.ts';

/** A dataset that does not exist, by name or id. */
export class DatasetNotFoundError extends Error {
  readonly code = 'DATASET_NOT_FOUND';
  constructor(ref: string | number) {
    super(`no dataset named "${ref}" in the catalog (see \`lookalike datasets\`)`);
  }
}

/** Every dataset with its pair, split and problem counts, newest import first. */
export function listDatasets(db: Db): DatasetSummary[] {
  const rows = db
    .prepare(
      `SELECT d.id, d.name, d.root, d.imported_at AS importedAt,
              (SELECT COUNT(*) FROM pairs p WHERE p.dataset_id = d.id) AS pairs,
              (SELECT COUNT(*) FROM pairs p WHERE p.dataset_id = d.id AND p.split = 'train') AS train,
              (SELECT COUNT(*) FROM pairs p WHERE p.dataset_id = d.id AND p.split = 'val') AS val,
              (SELECT COUNT(*) FROM pairs p WHERE p.dataset_id = d.id AND p.split = 'test') AS test,
              (SELECT COUNT(*) FROM import_problems q WHERE q.dataset_id = d.id) AS problems
         FROM datasets d ORDER BY d.imported_at DESC, d.id DESC`,
    )
    .all() as Array<Omit<DatasetSummary, 'splits'> & Record<Split, number>>;
  return rows.map(({ train, val, test, ...d }) => ({ ...d, splits: { train, val, test } }));
}

/** Finds a dataset by name, or by numeric id when `ref` is all digits and no dataset has that name. */
export function findDataset(db: Db, ref: string | number): DatasetSummary {
  const all = listDatasets(db);
  const byName = all.find((d) => d.name === String(ref));
  const found = byName ?? (/^\d+$/.test(String(ref)) ? all.find((d) => d.id === Number(ref)) : undefined);
  if (!found) throw new DatasetNotFoundError(ref);
  return found;
}

/** A pair's image as the services need it: the shared PairImage plus its content hash (feature-cache key). */
export type StoredPairImage = PairImage & { sha256: string };

/** A pair with its dataset's name and both images: what training, the report, export and search read. */
export interface StoredPair extends PairRow {
  datasetId: number;
  datasetName: string;
  left: StoredPairImage;
  right: StoredPairImage;
}

/**
 * Pairs with their images — the one query every service reads pairs through — of one dataset (or all datasets),
 * optionally of one split, ordered by dataset then pair name.
 */
export function pairsWithImages(db: Db, filter: { datasetId?: number; split?: Split } = {}): StoredPair[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.name, p.split, d.id AS did, d.name AS dname,
              p.left_image_id AS lid, p.left_path AS lpath, l.width AS lw, l.height AS lh, l.format AS lf, l.sha256 AS lsha,
              p.right_image_id AS rid, p.right_path AS rpath, r.width AS rw, r.height AS rh, r.format AS rf, r.sha256 AS rsha
         FROM pairs p JOIN datasets d ON d.id = p.dataset_id JOIN images l ON l.id = p.left_image_id JOIN images r ON r.id = p.right_image_id
        WHERE (? IS NULL OR p.dataset_id = ?) AND (? IS NULL OR p.split = ?)
        ORDER BY p.dataset_id, p.name`,
    )
    .all(filter.datasetId ?? null, filter.datasetId ?? null, filter.split ?? null, filter.split ?? null) as Array<Record<string, never>>;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    split: r.split,
    datasetId: r.did,
    datasetName: r.dname,
    left: { imageId: r.lid, path: r.lpath, width: r.lw, height: r.lh, format: r.lf, sha256: r.lsha },
    right: { imageId: r.rid, path: r.rpath, width: r.rw, height: r.rh, format: r.rf, sha256: r.rsha },
  }));
}

/** The pairs of a dataset, by name, optionally of one split, as the contract shows them. */
export function listPairs(db: Db, datasetId: number, split?: Split): PairRow[] {
  const image = ({ sha256: _, ...rest }: StoredPairImage): PairImage => rest;
  return pairsWithImages(db, { datasetId, split }).map((p) => ({ id: p.id, name: p.name, split: p.split, left: image(p.left), right: image(p.right) }));
}

/** The problems recorded by the last import of a dataset. */
export function listProblems(db: Db, datasetId: number): ProblemRow[] {
  return db
    .prepare(`SELECT side, file, code, reason FROM import_problems WHERE dataset_id = ? ORDER BY side, file`)
    .all(datasetId) as ProblemRow[];
}

/** The thumbnail (WebP) of a catalog image, or undefined. */
export function getThumbnail(db: Db, imageId: number): Buffer | undefined {
  const row = db.prepare(`SELECT thumbnail FROM images WHERE id = ?`).get(imageId) as { thumbnail: Buffer } | undefined;
  return row?.thumbnail;
}

/** The catalog image with exactly these bytes (by SHA-256), if one was imported. */
export function imageIdBySha256(db: Db, sha256: string): number | undefined {
  return (db.prepare('SELECT id FROM images WHERE sha256 = ?').get(sha256) as { id: number } | undefined)?.id;
}
