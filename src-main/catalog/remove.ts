import type { Db } from './open-catalog.ts';
import { DatasetNotFoundError } from './datasets.ts';
import { listRuns, RunNotFoundError } from './runs.ts';
import type { DatasetRemoval, RunRemoval } from '../../src-shared/upkeep-types.ts';

/** A dataset or run that a training in this or another process is still writing to. */
export class CatalogBusyError extends Error {
  readonly code = 'CATALOG_BUSY';
}

/** A new name that is empty, too long, or taken. */
export class BadNameError extends Error {
  constructor(readonly code: 'DATASET_NAME_MISSING' | 'DATASET_NAME_TAKEN' | 'BAD_NAME', message: string) {
    super(message);
  }
}

/** What removing a dataset also removes, and the image hashes nothing else uses (their generated files go too). */
export interface DatasetRemovalPlan extends DatasetRemoval {
  orphanSha256: string[];
}

/** What removing a run removes, and its look-alike seed (when it made some), for the generated files. */
export interface RunRemovalPlan extends RunRemoval {
  datasetId: number;
  augmentSeed: number | null;
}

const MAX_NAME = 200;

/** Images of a dataset's pairs that no other dataset's pair uses. */
function unsharedImages(db: Db, datasetId: number): Array<{ id: number; sha256: string }> {
  return db
    .prepare(
      `SELECT i.id, i.sha256 FROM images i
        WHERE i.id IN (SELECT left_image_id FROM pairs WHERE dataset_id = @d UNION SELECT right_image_id FROM pairs WHERE dataset_id = @d)
          AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.dataset_id <> @d AND (p.left_image_id = i.id OR p.right_image_id = i.id))
        ORDER BY i.id`,
    )
    .all({ d: datasetId }) as Array<{ id: number; sha256: string }>;
}

function count(db: Db, sql: string, ...args: unknown[]): number {
  return (db.prepare(sql).get(...args) as { n: number }).n;
}

/** A run that is `running` and whose owner is alive (not interrupted): removing it would pull the rows from under it. */
function liveRunIds(db: Db, datasetId?: number): number[] {
  return listRuns(db, { datasetId }).filter((r) => r.status === 'running' && !r.interrupted).map((r) => r.id);
}

/** What `removeDataset` would remove, counted, without removing anything (for the confirmation). */
export function planDatasetRemoval(db: Db, datasetId: number): DatasetRemovalPlan {
  const ds = db.prepare('SELECT id, name, root FROM datasets WHERE id = ?').get(datasetId) as { id: number; name: string; root: string } | undefined;
  if (!ds) throw new DatasetNotFoundError(datasetId);
  const images = unsharedImages(db, datasetId);
  const runIds = (db.prepare('SELECT id FROM runs WHERE dataset_id = ? ORDER BY id').all(datasetId) as Array<{ id: number }>).map((r) => r.id);
  const shas = images.map((i) => i.sha256);
  const inList = (n: number) => Array(n).fill('?').join(',') || 'NULL';
  return {
    dataset: { id: ds.id, name: ds.name, root: ds.root },
    pairs: count(db, 'SELECT COUNT(*) AS n FROM pairs WHERE dataset_id = ?', datasetId),
    runs: runIds,
    images: images.length,
    sharedImagesKept: count(
      db,
      `SELECT COUNT(*) AS n FROM (SELECT left_image_id AS id FROM pairs WHERE dataset_id = @d UNION SELECT right_image_id FROM pairs WHERE dataset_id = @d)`,
      { d: datasetId },
    ) - images.length,
    checkpoints: count(db, `SELECT COUNT(*) AS n FROM run_checkpoints WHERE run_id IN (${inList(runIds.length)})`, ...runIds),
    featureRows: count(db, `SELECT COUNT(*) AS n FROM feature_cache WHERE sha256 IN (${inList(shas.length)})`, ...shas),
    embeddingRows: count(
      db,
      `SELECT COUNT(*) AS n FROM embeddings WHERE image_id IN (${inList(images.length)}) OR embedder IN (${inList(runIds.length)})`,
      ...images.map((i) => i.id),
      ...runIds.map((id) => `run:${id}`),
    ),
    orphanSha256: shas,
    generatedFiles: 0,
  };
}

/**
 * Removes a dataset in one transaction: its pairs, import problems, runs (epochs, checkpoints, catalog vectors),
 * and the images no other dataset uses with their cached features, vectors and marks. Image files on disk are
 * never touched here (nor anywhere): the catalog only stores where they are.
 * @throws DatasetNotFoundError; CatalogBusyError while one of its runs is training.
 */
export function removeDataset(db: Db, datasetId: number): DatasetRemovalPlan {
  return db.transaction(() => {
    const plan = planDatasetRemoval(db, datasetId);
    const live = liveRunIds(db, datasetId);
    if (live.length) throw new CatalogBusyError(`dataset "${plan.dataset.name}" is being trained (run ${live.join(', ')}); cancel the training first`);
    const delEmb = db.prepare('DELETE FROM embeddings WHERE embedder = ?');
    for (const id of plan.runs) delEmb.run(`run:${id}`);
    // Pairs, problems, runs, epochs and checkpoints go with the dataset (ON DELETE CASCADE).
    db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId);
    deleteUnusedImages(db, plan.orphanSha256);
    return plan;
  }).immediate();
}

/**
 * Deletes the images with these hashes that no pair uses any more, with their cached features (vectors and marks
 * cascade). Call inside the caller's transaction.
 */
export function deleteUnusedImages(db: Db, sha256s: readonly string[]): string[] {
  const unused = db.prepare(
    `SELECT id FROM images WHERE sha256 = ?
        AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.left_image_id = images.id OR p.right_image_id = images.id)`,
  );
  const delImage = db.prepare('DELETE FROM images WHERE id = ?');
  const delFeatures = db.prepare('DELETE FROM feature_cache WHERE sha256 = ?');
  const gone: string[] = [];
  for (const sha of sha256s) {
    const row = unused.get(sha) as { id: number } | undefined;
    if (!row) continue;
    delImage.run(row.id);
    delFeatures.run(sha);
    gone.push(sha);
  }
  return gone;
}

/** What `removeRun` would remove, counted, without removing anything. */
export function planRunRemoval(db: Db, runId: number): RunRemovalPlan {
  const run = db.prepare('SELECT r.id, r.dataset_id, r.config, d.name FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE r.id = ?').get(runId) as
    | { id: number; dataset_id: number; config: string; name: string }
    | undefined;
  if (!run) throw new RunNotFoundError(runId);
  const config = JSON.parse(run.config) as { augment?: number; seed?: number };
  return {
    run: { id: run.id, datasetName: run.name },
    datasetId: run.dataset_id,
    epochs: count(db, 'SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?', runId),
    checkpoints: count(db, 'SELECT COUNT(*) AS n FROM run_checkpoints WHERE run_id = ?', runId),
    embeddingRows: count(db, 'SELECT COUNT(*) AS n FROM embeddings WHERE embedder = ?', `run:${runId}`),
    augmentSeed: (config.augment ?? 0) > 0 ? (config.seed ?? 0) : null,
    generatedFiles: 0,
  };
}

/**
 * Removes a run in one transaction: its epochs, checkpoint and catalog vectors; marks made with it keep their
 * verdict and lose the run reference (ON DELETE SET NULL).
 * @throws RunNotFoundError; CatalogBusyError while it trains.
 */
export function removeRun(db: Db, runId: number): RunRemovalPlan {
  return db.transaction(() => {
    const plan = planRunRemoval(db, runId);
    if (liveRunIds(db, plan.datasetId).includes(runId)) throw new CatalogBusyError(`run ${runId} is training; cancel it first`);
    db.prepare('DELETE FROM embeddings WHERE embedder = ?').run(`run:${runId}`);
    db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    return plan;
  }).immediate();
}

/**
 * The look-alike file keys (`<first 16 hex of the logo's hash>-<seed>`) the remaining runs may still read: every
 * image of the dataset of every run that makes look-alikes, with that run's seed.
 */
export function augmentKeysInUse(db: Db): Set<string> {
  const runs = db.prepare('SELECT dataset_id AS datasetId, config FROM runs').all() as Array<{ datasetId: number; config: string }>;
  const shasOf = db.prepare(
    `SELECT i.sha256 FROM images i WHERE i.id IN (SELECT left_image_id FROM pairs WHERE dataset_id = @d UNION SELECT right_image_id FROM pairs WHERE dataset_id = @d)`,
  );
  const keys = new Set<string>();
  for (const r of runs) {
    const config = JSON.parse(r.config) as { augment?: number; seed?: number };
    if (!((config.augment ?? 0) > 0)) continue;
    for (const { sha256 } of shasOf.all({ d: r.datasetId }) as Array<{ sha256: string }>) keys.add(`${sha256.slice(0, 16)}-${config.seed ?? 0}`);
  }
  return keys;
}

/** The hashes of every image of a dataset's pairs. */
export function datasetImageShas(db: Db, datasetId: number): string[] {
  return (
    db
      .prepare(`SELECT sha256 FROM images WHERE id IN (SELECT left_image_id FROM pairs WHERE dataset_id = @d UNION SELECT right_image_id FROM pairs WHERE dataset_id = @d)`)
      .all({ d: datasetId }) as Array<{ sha256: string }>
  ).map((r) => r.sha256);
}

/** Checks a new dataset name as the importer would take it: trimmed, not empty, not too long, no control characters. */
export function checkDatasetName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) throw new BadNameError('DATASET_NAME_MISSING', 'a dataset needs a name');
  if (name.length > MAX_NAME) throw new BadNameError('BAD_NAME', `a dataset name has at most ${MAX_NAME} characters, not ${name.length}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadNameError('BAD_NAME', 'a dataset name cannot contain control characters (tabs, line breaks)');
  return name;
}

/**
 * Renames a dataset. Runs, pairs and the folder it came from are unchanged (a re-import of that folder needs
 * `--name NEW` from now on, since the name is what finds the dataset).
 * @throws DatasetNotFoundError; BadNameError for an empty, overlong or taken name.
 */
export function renameDataset(db: Db, datasetId: number, newName: unknown): { id: number; oldName: string; name: string } {
  const name = checkDatasetName(newName);
  return db.transaction(() => {
    const ds = db.prepare('SELECT id, name FROM datasets WHERE id = ?').get(datasetId) as { id: number; name: string } | undefined;
    if (!ds) throw new DatasetNotFoundError(datasetId);
    const taken = db.prepare('SELECT id FROM datasets WHERE name = ? AND id <> ?').get(name, datasetId);
    if (taken) throw new BadNameError('DATASET_NAME_TAKEN', `another dataset is already named "${name}"`);
    db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, datasetId);
    return { id: ds.id, oldName: ds.name, name };
  }).immediate();
}

/** One pair a re-import dropped, and why. */
export interface DroppedPairRow {
  name: string;
  leftPath: string;
  rightPath: string;
}

/**
 * Drops a dataset's pairs that are not in `keep` (a re-import that no longer finds them), and the images only
 * they used. Call inside the import's commit transaction, so the catalog never shows half of it.
 */
export function dropPairsExcept(db: Db, datasetId: number, keep: ReadonlySet<string>): DroppedPairRow[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.name, p.left_path AS leftPath, p.right_path AS rightPath, l.sha256 AS ls, r.sha256 AS rs
         FROM pairs p JOIN images l ON l.id = p.left_image_id JOIN images r ON r.id = p.right_image_id
        WHERE p.dataset_id = ? ORDER BY p.name`,
    )
    .all(datasetId) as Array<DroppedPairRow & { id: number; ls: string; rs: string }>;
  const gone = rows.filter((r) => !keep.has(r.name));
  const del = db.prepare('DELETE FROM pairs WHERE id = ?');
  for (const r of gone) del.run(r.id);
  deleteUnusedImages(db, [...new Set(gone.flatMap((r) => [r.ls, r.rs]))]);
  return gone.map(({ name, leftPath, rightPath }) => ({ name, leftPath, rightPath }));
}
