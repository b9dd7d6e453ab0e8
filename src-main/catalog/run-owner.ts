import type { Db } from './open-catalog.ts';
import type { RunStatus } from '../../src-shared/training-types.ts';

/**
 * A run's status and the process id recorded as training it (null when none is): what a resume compares before
 * claiming the run, and what a crashed worker's parent checks before failing it.
 */
export function runOwner(db: Db, runId: number): { status: RunStatus; pid: number | null } | undefined {
  return db.prepare('SELECT status, pid FROM runs WHERE id = ?').get(runId) as { status: RunStatus; pid: number | null } | undefined;
}
