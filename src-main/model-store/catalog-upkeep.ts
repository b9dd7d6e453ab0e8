import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import {
  augmentKeysInUse,
  datasetImageShas,
  planDatasetRemoval,
  planRunRemoval,
  removeDataset,
  removeRun,
  renameDataset,
} from '../catalog/remove.ts';
import type { DatasetRemoval, RunRemoval } from '../../src-shared/upkeep-types.ts';
import { generatedDir } from './generated-files.ts';
import { catalogDataDir } from '../catalog/catalog-path.ts';

/** How Lookalike names a synthetic look-alike: `<16 hex of the logo's hash>-<seed>-<k>.jpg` (see augment.ts). */
const LOOKALIKE_FILE = /^([0-9a-f]{16})-(\d+)-\d+\.jpg$/;

/**
 * The folders synthetic look-alikes of this catalog may be in: `<catalog>.d/augment/` and, from earlier
 * versions, `augment/` beside the catalog. Only files named as Lookalike names them are ever deleted there.
 */
export function lookalikeDirs(catalogPath: string): string[] {
  // The legacy folder too: files there are adopted only when a run with look-alikes trains again.
  return [generatedDir(catalogPath, 'augment'), path.join(path.dirname(path.resolve(catalogPath)), 'augment')];
}

/**
 * Deletes the look-alike files `isCandidate` picks that no remaining run can read any more, and returns how many.
 * A file that cannot be deleted stays (it is regenerated content, never the user's).
 */
function deleteUnusedLookalikes(db: Db, catalogPath: string, isCandidate: (sha16: string, seed: number) => boolean): number {
  const inUse = augmentKeysInUse(db);
  let deleted = 0;
  for (const dir of lookalikeDirs(catalogPath)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = LOOKALIKE_FILE.exec(name);
      if (!m || !isCandidate(m[1], Number(m[2])) || inUse.has(`${m[1]}-${m[2]}`)) continue;
      try {
        const file = path.join(dir, name);
        if (!fs.lstatSync(file).isFile()) continue;
        fs.unlinkSync(file);
        deleted++;
      } catch {
        // Left behind: harmless, and a later removal tries again.
      }
    }
  }
  return deleted;
}

/**
 * Deletes the search graph a run's catalog vectors may have persisted (`<catalog>.d/index/run_<id>.usearch` and its
 * `.json`, named as search/catalog-index.ts names them): a later run that gets the same id must not open it.
 */
function deleteRunIndexFiles(catalogPath: string, runIds: readonly number[]): void {
  const dir = path.join(catalogDataDir(catalogPath), 'index');
  for (const id of runIds) for (const ext of ['usearch', 'json']) fs.rmSync(path.join(dir, `run_${id}.${ext}`), { force: true });
}

/** What removing the dataset would remove, for a confirmation. */
export function previewDatasetRemoval(db: Db, datasetId: number): DatasetRemoval {
  const { orphanSha256: _, ...plan } = planDatasetRemoval(db, datasetId);
  return plan;
}

/** What removing the run would remove, for a confirmation. */
export function previewRunRemoval(db: Db, runId: number): RunRemoval {
  const { datasetId: _d, augmentSeed: _s, ...plan } = planRunRemoval(db, runId);
  return plan;
}

/**
 * Removes a dataset from the catalog (one transaction: pairs, runs, checkpoints, vectors, cached features, images
 * nothing else uses), then the synthetic look-alikes made from its logos that no other run uses. The folder it was
 * imported from is not touched.
 * @throws DatasetNotFoundError; CatalogBusyError while one of its runs trains.
 */
export function removeDatasetEverywhere(db: Db, catalogPath: string, datasetId: number): DatasetRemoval {
  const shas = new Set(datasetImageShas(db, datasetId).map((s) => s.slice(0, 16)));
  const { orphanSha256: _, ...plan } = removeDataset(db, datasetId);
  deleteRunIndexFiles(catalogPath, plan.runs);
  return { ...plan, generatedFiles: deleteUnusedLookalikes(db, catalogPath, (sha16) => shas.has(sha16)) };
}

/**
 * Removes a run (one transaction: epochs, checkpoint, vectors), then the look-alikes only it used.
 * @throws RunNotFoundError; CatalogBusyError while it trains.
 */
export function removeRunEverywhere(db: Db, catalogPath: string, runId: number): RunRemoval {
  const { datasetId, augmentSeed, ...plan } = removeRun(db, runId);
  deleteRunIndexFiles(catalogPath, [runId]);
  if (augmentSeed === null) return plan;
  const shas = new Set(datasetImageShas(db, datasetId).map((s) => s.slice(0, 16)));
  return { ...plan, generatedFiles: deleteUnusedLookalikes(db, catalogPath, (sha16, seed) => seed === augmentSeed && shas.has(sha16)) };
}

export { renameDataset };
