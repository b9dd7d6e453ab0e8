import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import type { Side, Split } from '../catalog/datasets.ts';
import { assignSplits } from '../catalog/split.ts';
import { dropPairsExcept } from '../catalog/remove.ts';
import type { ImportProblem, ImportProgress, ImportResult } from '../../src-shared/catalog-types.ts';

export type { ImportProgress, ImportResult };
import { scanPairedFolder, type MatchedPair } from './scan-paired-folder.ts';
import { DEFAULT_LIMITS, decodeImage, readAndHash, type ProbeLimits, type ProbedImage } from './probe-image.ts';

export interface ImportOptions {
  /** Dataset name; default: the folder's name. */
  name?: string;
  limits?: Partial<ProbeLimits>;
  /** Files decoded at once; sharp decodes on its own thread pool. */
  concurrency?: number;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/** Importing a folder under a name that another folder already holds. */
export class DatasetNameTakenError extends Error {
  readonly code = 'DATASET_NAME_TAKEN';
}

let stagingCounter = 0;

/**
 * Imports a paired folder (`left/NAME` + `right/NAME`) into the catalog. Every file it cannot use is reported
 * with a reason and the import goes on. Decoded results wait in a connection-private TEMP table (on disk when
 * large, never the whole folder in memory) and reach the catalog in one transaction at the end: a crash, an error
 * or a cancel before that leaves the catalog exactly as it was. Re-importing is idempotent (content hashes), and
 * images already in the catalog are not decoded again.
 */
export async function importFolder(db: Db, folder: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const report = opts.onProgress ?? (() => {});
  opts.signal?.throwIfAborted();
  report({ phase: 'scan', done: 0, total: 0 });
  const scan = await scanPairedFolder(folder);
  const name = (opts.name ?? path.basename(scan.root)).trim();
  if (!name) throw Object.assign(new Error('a dataset needs a name (pass --name)'), { code: 'DATASET_NAME_MISSING' });
  const existing = db.prepare('SELECT id, root FROM datasets WHERE name = ?').get(name) as { id: number; root: string } | undefined;
  if (existing && existing.root !== scan.root) {
    throw new DatasetNameTakenError(`a dataset named "${name}" already comes from ${existing.root}; choose another --name`);
  }

  const stage = `import_stage_${process.pid}_${++stagingCounter}`;
  db.exec(`CREATE TEMP TABLE ${stage} (
    pair TEXT NOT NULL, side TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    width INTEGER, height INTEGER, format TEXT, bytes INTEGER, thumbnail BLOB, PRIMARY KEY (pair, side))`);
  try {
    const problems = [...scan.problems];
    await decodeAll(db, stage, scan.pairs, limits, opts, problems);
    opts.signal?.throwIfAborted();
    report({ phase: 'commit', done: 0, total: 1 });
    const result = commit(db, stage, scan.root, name, problems);
    report({ phase: 'commit', done: 1, total: 1 });
    return result;
  } finally {
    db.exec(`DROP TABLE IF EXISTS temp.${stage}`);
  }
}

async function decodeAll(
  db: Db,
  stage: string,
  pairs: MatchedPair[],
  limits: ProbeLimits,
  opts: ImportOptions,
  problems: ImportProblem[],
): Promise<void> {
  const jobs = pairs.flatMap((p) => [{ pair: p, side: 'left' as Side }, { pair: p, side: 'right' as Side }]);
  const known = db.prepare('SELECT width, height, format, bytes FROM images WHERE sha256 = ?');
  const insert = db.prepare(
    `INSERT INTO temp.${stage} (pair, side, path, sha256, width, height, format, bytes, thumbnail)
     VALUES (@pair, @side, @path, @sha256, @width, @height, @format, @bytes, @thumbnail)`,
  );
  const failed = new Map<string, ImportProblem>(); // pair name → the first side that failed
  let next = 0;
  let done = 0;
  const report = opts.onProgress ?? (() => {});
  report({ phase: 'decode', done: 0, total: jobs.length });

  const worker = async () => {
    while (next < jobs.length) {
      opts.signal?.throwIfAborted();
      const { pair, side } = jobs[next++];
      const file = pair[side];
      const read = await readAndHash(file.path, limits);
      let probed: ProbedImage | { code: ImportProblem['code']; reason: string };
      if ('code' in read) probed = read;
      else {
        const row = known.get(read.sha256) as Omit<ProbedImage, 'sha256' | 'thumbnail'> | undefined;
        // An image already in the catalog was decoded when it came in: keep its row, skip the decode.
        probed = row ? { ...row, sha256: read.sha256, thumbnail: Buffer.alloc(0) } : await decodeImage(read.buf, read.sha256, limits);
      }
      if ('code' in probed) {
        const problem = { side, file: file.name, code: probed.code, reason: probed.reason };
        problems.push(problem);
        if (!failed.has(pair.name)) failed.set(pair.name, problem);
      } else {
        insert.run({ pair: pair.name, side, path: file.path, ...probed, thumbnail: probed.thumbnail.length ? probed.thumbnail : null });
      }
      report({ phase: 'decode', done: ++done, total: jobs.length, current: `${side}/${file.name}` });
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? Math.max(2, os.availableParallelism()), jobs.length));
  await Promise.all(Array.from({ length: n }, worker));

  // A good file whose partner failed is unused too: say so, naming the partner's problem.
  for (const [pairName, problem] of failed) {
    const pair = pairs.find((p) => p.name === pairName)!;
    const other: Side = problem.side === 'left' ? 'right' : 'left';
    const otherFailed = problems.some((p) => p.side === other && p.file === pair[other].name && p !== problem);
    if (!otherFailed) {
      problems.push({
        side: other,
        file: pair[other].name,
        code: 'PARTNER_UNUSABLE',
        reason: `its pair ${problem.side}/${problem.file} could not be used (${problem.code})`,
      });
    }
  }
}

function commit(db: Db, stage: string, root: string, name: string, problems: ImportProblem[]): ImportResult {
  const now = new Date().toISOString();
  return db.transaction((): ImportResult => {
    // Checked again inside the transaction: another import may have taken the name while this one decoded.
    const owner = db.prepare('SELECT root FROM datasets WHERE name = ?').get(name) as { root: string } | undefined;
    if (owner && owner.root !== root) throw new DatasetNameTakenError(`a dataset named "${name}" already comes from ${owner.root}; choose another --name`);
    db.prepare(
      `INSERT INTO datasets (name, root, created_at, imported_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET imported_at = excluded.imported_at`,
    ).run(name, root, now, now);
    const datasetId = (db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as { id: number }).id;
    // Only images of complete pairs: a good file whose partner failed stays out of the catalog.
    db.prepare(
      `INSERT INTO images (sha256, path, width, height, format, bytes, thumbnail, created_at)
       SELECT sha256, path, width, height, format, bytes, thumbnail, ? FROM temp.${stage}
        WHERE thumbnail IS NOT NULL
          AND pair IN (SELECT pair FROM temp.${stage} GROUP BY pair HAVING COUNT(*) = 2)
       ON CONFLICT(sha256) DO NOTHING`,
    ).run(now);
    const complete = db
      .prepare(
        `SELECT l.pair AS name, li.id AS leftId, ri.id AS rightId, l.path AS leftPath, r.path AS rightPath
           FROM temp.${stage} l JOIN temp.${stage} r ON r.pair = l.pair AND r.side = 'right'
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
    const dropped = dropPairsExcept(db, datasetId, new Set(complete.map((p) => p.name))).map((d) => ({ name: d.name, reason: droppedReason(d, problems) }));
    // The problem list describes the folder as it is now: the last import's list replaces the previous one.
    db.prepare('DELETE FROM import_problems WHERE dataset_id = ?').run(datasetId);
    const addProblem = db.prepare('INSERT INTO import_problems (dataset_id, side, file, code, reason) VALUES (?, ?, ?, ?, ?)');
    problems.sort((a, b) => a.side.localeCompare(b.side) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const q of problems) addProblem.run(datasetId, q.side, q.file, q.code, q.reason);
    const pairs = (db.prepare('SELECT COUNT(*) AS n FROM pairs WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
    return { dataset: { id: datasetId, name }, pairs, added, updated, dropped, problems };
  }).immediate();
}

/** Why a pair of the catalog is not in the folder any more: a side's file is gone, or now has a problem. */
function droppedReason(pair: { leftPath: string; rightPath: string }, problems: ImportProblem[]): string {
  const sides = [['left', pair.leftPath], ['right', pair.rightPath]] as const;
  // A gone file first: its partner then shows up as a one-sided problem, which is not the cause.
  const gone = sides.filter(([, file]) => !fs.existsSync(file)).map(([side, file]) => `${side}/${path.basename(file)}`);
  if (gone.length) return `${gone.join(' and ')} ${gone.length > 1 ? 'are' : 'is'} gone`;
  for (const [side, file] of sides) {
    const problem = problems.find((p) => p.side === side && p.file === path.basename(file).normalize('NFC'));
    if (problem) return `${side}/${problem.file} can no longer be used: ${problem.reason}`;
  }
  return 'its files no longer pair up by name';
}
