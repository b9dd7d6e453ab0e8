/**
 * The catalog side of an import: a connection-private staging table that decoded files wait in, and the one
 * transaction that moves a finished import into the datasets, images, pairs and import_problems tables.
 */
import type { Db } from './open-catalog.ts';
import type { ImportProblem, ImportResult, Side, Split } from '../../src-shared/catalog-types.ts';
import { assignSplits } from './split.ts';
import { dropPairsExcept, type DroppedPairRow } from './remove.ts';

/** Importing a folder under a name that another folder already holds. */
export class DatasetNameTakenError extends Error {
  readonly code = 'DATASET_NAME_TAKEN';
}

/** The folder a dataset of this name was imported from, if there is one. */
export function datasetRootByName(db: Db, name: string): string | undefined {
  return (db.prepare('SELECT root FROM datasets WHERE name = ?').get(name) as { root: string } | undefined)?.root;
}

/** What the images table stores of a file besides its thumbnail. */
export interface ImageFacts {
  sha256: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
}

/** What an import knows of one decoded file. */
export interface StagedImage extends ImageFacts {
  pair: string;
  side: Side;
  path: string;
  /** null for an image already in the catalog (its row is kept, its thumbnail too). */
  thumbnail: Buffer | null;
}

/** A TEMP table of decoded files (on disk when large, never the whole folder in memory), dropped when done. */
export interface ImportStage {
  readonly table: string;
  add(image: StagedImage): void;
  /** The stored facts of an image already in the catalog, so that it need not be decoded again. */
  known(sha256: string): Omit<ImageFacts, 'sha256'> | undefined;
  drop(): void;
}

let stagingCounter = 0;

/** Creates a staging table private to this connection. */
export function openImportStage(db: Db): ImportStage {
  const table = `import_stage_${process.pid}_${++stagingCounter}`;
  db.exec(`CREATE TEMP TABLE ${table} (
    pair TEXT NOT NULL, side TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    width INTEGER, height INTEGER, format TEXT, bytes INTEGER, thumbnail BLOB, PRIMARY KEY (pair, side))`);
  const known = db.prepare('SELECT width, height, format, bytes FROM images WHERE sha256 = ?');
  const insert = db.prepare(
    `INSERT INTO temp.${table} (pair, side, path, sha256, width, height, format, bytes, thumbnail)
     VALUES (@pair, @side, @path, @sha256, @width, @height, @format, @bytes, @thumbnail)`,
  );
  return {
    table,
    add: (image) => insert.run(image),
    known: (sha256) => known.get(sha256) as ReturnType<ImportStage['known']>,
    drop: () => db.exec(`DROP TABLE IF EXISTS temp.${table}`),
  };
}

/**
 * Moves a finished import from its stage into the catalog in one write transaction: the dataset row, the images
 * of complete pairs, the pairs (new ones get a split, existing ones keep theirs) and the problem list, which
 * replaces the previous import's. Pairs of an earlier import that this one did not find complete are dropped
 * (with the images nothing else uses); `explainDropped` says why for each.
 * @throws DatasetNameTakenError when another folder took the name while this import decoded.
 */
export function commitImport(
  db: Db,
  stage: ImportStage,
  root: string,
  name: string,
  problems: ImportProblem[],
  explainDropped: (pair: DroppedPairRow) => string = () => 'no longer in the folder',
): ImportResult {
  const table = stage.table;
  const now = new Date().toISOString();
  return db.transaction((): ImportResult => {
    // Checked again inside the transaction: another import may have taken the name while this one decoded.
    const ownerRoot = datasetRootByName(db, name);
    if (ownerRoot !== undefined && ownerRoot !== root) throw new DatasetNameTakenError(`a dataset named "${name}" already comes from ${ownerRoot}; choose another --name`);
    db.prepare(
      `INSERT INTO datasets (name, root, created_at, imported_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET imported_at = excluded.imported_at`,
    ).run(name, root, now, now);
    const datasetId = (db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as { id: number }).id;
    // Only images of complete pairs: a good file whose partner failed stays out of the catalog.
    db.prepare(
      `INSERT INTO images (sha256, path, width, height, format, bytes, thumbnail, created_at)
       SELECT sha256, path, width, height, format, bytes, thumbnail, ? FROM temp.${table}
        WHERE thumbnail IS NOT NULL
          AND pair IN (SELECT pair FROM temp.${table} GROUP BY pair HAVING COUNT(*) = 2)
       ON CONFLICT(sha256) DO NOTHING`,
    ).run(now);
    const complete = db
      .prepare(
        `SELECT l.pair AS name, li.id AS leftId, ri.id AS rightId, l.path AS leftPath, r.path AS rightPath
           FROM temp.${table} l JOIN temp.${table} r ON r.pair = l.pair AND r.side = 'right'
           JOIN images li ON li.sha256 = l.sha256 JOIN images ri ON ri.sha256 = r.sha256
          WHERE l.side = 'left' ORDER BY l.pair`,
      )
      .all() as Array<{ name: string; leftId: number; rightId: number; leftPath: string; rightPath: string }>;
    const before = db.prepare('SELECT left_image_id AS l, right_image_id AS r FROM pairs WHERE dataset_id = ? AND name = ?');
    const upsert = db.prepare(
      `INSERT INTO pairs (dataset_id, name, left_image_id, right_image_id, split, left_path, right_path)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(dataset_id, name) DO UPDATE SET left_image_id = excluded.left_image_id,
         right_image_id = excluded.right_image_id, left_path = excluded.left_path, right_path = excluded.right_path`,
    );
    let added = 0;
    let updated = 0;
    const existing = { train: 0, val: 0, test: 0 };
    for (const r of db.prepare('SELECT split, COUNT(*) AS n FROM pairs WHERE dataset_id = ? GROUP BY split').all(datasetId) as Array<{ split: Split; n: number }>) {
      existing[r.split] = r.n;
    }
    const isNew = complete.filter((p) => !before.get(datasetId, p.name));
    const splits = assignSplits(existing, isNew.map((p) => p.name));
    for (const p of complete) {
      const old = before.get(datasetId, p.name) as { l: number; r: number } | undefined;
      if (!old) added++;
      else if (old.l !== p.leftId || old.r !== p.rightId) updated++;
      // An existing pair keeps its split: the upsert does not touch it.
      upsert.run(datasetId, p.name, p.leftId, p.rightId, splits.get(p.name) ?? 'train', p.leftPath, p.rightPath);
    }
    // The dataset is the folder as it is now: a pair whose files are gone (or no longer usable) leaves it.
    const dropped = dropPairsExcept(db, datasetId, new Set(complete.map((p) => p.name))).map((d) => ({ name: d.name, reason: explainDropped(d) }));
    // The problem list describes the folder as it is now: the last import's list replaces the previous one.
    db.prepare('DELETE FROM import_problems WHERE dataset_id = ?').run(datasetId);
    const addProblem = db.prepare('INSERT INTO import_problems (dataset_id, side, file, code, reason) VALUES (?, ?, ?, ?, ?)');
    problems.sort((a, b) => a.side.localeCompare(b.side) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const q of problems) addProblem.run(datasetId, q.side, q.file, q.code, q.reason);
    const pairs = (db.prepare('SELECT COUNT(*) AS n FROM pairs WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
    return { dataset: { id: datasetId, name }, pairs, added, updated, dropped, problems };
  }).immediate();
}
