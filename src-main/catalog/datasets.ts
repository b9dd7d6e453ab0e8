import type { Db } from './open-catalog.ts';
import type { DatasetSummary, PairRow, ProblemRow, Split } from '../../src-shared/catalog-types.ts';

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

/** The pairs of a dataset, by name, optionally of one split. */
export function listPairs(db: Db, datasetId: number, split?: Split): PairRow[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.name, p.split,
              p.left_image_id AS lid, p.left_path AS lpath, l.width AS lw, l.height AS lh, l.format AS lf,
              p.right_image_id AS rid, p.right_path AS rpath, r.width AS rw, r.height AS rh, r.format AS rf
         FROM pairs p JOIN images l ON l.id = p.left_image_id JOIN images r ON r.id = p.right_image_id
        WHERE p.dataset_id = ? AND (? IS NULL OR p.split = ?)
        ORDER BY p.name`,
    )
    .all(datasetId, split ?? null, split ?? null) as Array<Record<string, never>>;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    split: r.split,
    left: { imageId: r.lid, path: r.lpath, width: r.lw, height: r.lh, format: r.lf },
    right: { imageId: r.rid, path: r.rpath, width: r.rw, height: r.rh, format: r.rf },
  }));
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
