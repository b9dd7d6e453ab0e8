import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import type { Side } from '../catalog/datasets.ts';
import { commitImport, datasetRootByName, DatasetNameTakenError, openImportStage, type ImportStage } from '../catalog/import-commit.ts';
import type { ImportProblem, ImportProgress, ImportResult } from '../../src-shared/catalog-types.ts';

export type { ImportProgress, ImportResult };
export { DatasetNameTakenError };
import { partnerUnusable, scanPairedFolder, type MatchedPair } from './scan-paired-folder.ts';
import { DEFAULT_LIMITS, decodeImage, readAndHash, type ProbeLimits, type ProbedImage } from './probe-image.ts';

export interface ImportOptions {
  /** Dataset name; default: the folder's name. */
  name?: string;
  limits?: Partial<ProbeLimits>;
  /**
   * Files decoded at once; default {@link DEFAULT_IMPORT_CONCURRENCY}. sharp decodes on libuv's thread pool
   * (4 threads), so a few more jobs than cores keep it busy while others wait for a read.
   */
  concurrency?: number;
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/** Measured by scripts/bench-import.ts: 2 in flight left half the cores idle on small images; 8 doubled throughput. */
export const DEFAULT_IMPORT_CONCURRENCY = Math.max(8, os.availableParallelism() * 2);

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
  const existingRoot = datasetRootByName(db, name);
  if (existingRoot !== undefined && existingRoot !== scan.root) {
    throw new DatasetNameTakenError(`a dataset named "${name}" already comes from ${existingRoot}; choose another --name`);
  }

  const stage = openImportStage(db);
  try {
    const problems = [...scan.problems];
    await decodeAll(stage, scan.pairs, limits, opts, problems);
    opts.signal?.throwIfAborted();
    report({ phase: 'commit', done: 0, total: 1 });
    const result = commitImport(db, stage, scan.root, name, problems, (d) => droppedReason(d, problems));
    report({ phase: 'commit', done: 1, total: 1 });
    return result;
  } finally {
    stage.drop();
  }
}

async function decodeAll(
  stage: ImportStage,
  pairs: MatchedPair[],
  limits: ProbeLimits,
  opts: ImportOptions,
  problems: ImportProblem[],
): Promise<void> {
  const jobs = pairs.flatMap((p) => [{ pair: p, side: 'left' as Side }, { pair: p, side: 'right' as Side }]);
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
        const row = stage.known(read.sha256);
        // An image already in the catalog was decoded when it came in: keep its row, skip the decode.
        probed = row ? { ...row, sha256: read.sha256, thumbnail: Buffer.alloc(0) } : await decodeImage(read.buf, read.sha256, limits);
      }
      if ('code' in probed) {
        const problem = { side, file: file.name, code: probed.code, reason: probed.reason };
        problems.push(problem);
        if (!failed.has(pair.name)) failed.set(pair.name, problem);
      } else {
        stage.add({ pair: pair.name, side, path: file.path, ...probed, thumbnail: probed.thumbnail.length ? probed.thumbnail : null });
      }
      report({ phase: 'decode', done: ++done, total: jobs.length, current: `${side}/${file.name}` });
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? DEFAULT_IMPORT_CONCURRENCY, jobs.length));
  await Promise.all(Array.from({ length: n }, worker));

  // A good file whose partner failed is unused too: say so, naming the partner's problem.
  for (const [pairName, problem] of failed) {
    const pair = pairs.find((p) => p.name === pairName)!;
    const other: Side = problem.side === 'left' ? 'right' : 'left';
    const otherFailed = problems.some((p) => p.side === other && p.file === pair[other].name && p !== problem);
    if (!otherFailed) problems.push(partnerUnusable(pair, problem));
  }
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
