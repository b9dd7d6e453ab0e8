/**
 * A run's name: what the user calls it ("resnet, 8 look-alikes") beside its number. Runs are found by number
 * everywhere (`lookalike query --run 3`), so a name needs not be unique; it only has to be readable.
 */
import type { Db } from './open-catalog.ts';
import { RunNotFoundError } from './runs.ts';

/** The longest run name, as for datasets. */
export const MAX_RUN_NAME = 200;

/** A run name the catalog refuses: too long, or with control characters. */
export class BadRunNameError extends Error {
  readonly code = 'BAD_NAME';
}

/** Checks a new run name: trimmed, at most MAX_RUN_NAME characters, no control characters; empty = no name. */
export function checkRunName(raw: unknown): string | null {
  if (typeof raw !== 'string') throw new BadRunNameError('a run name is text');
  const name = raw.trim();
  if (!name) return null;
  if (name.length > MAX_RUN_NAME) throw new BadRunNameError(`a run name has at most ${MAX_RUN_NAME} characters, not ${name.length}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadRunNameError('a run name cannot contain control characters (tabs, line breaks)');
  return name;
}

/**
 * Names a run (an empty name takes its name away). Nothing else about the run changes, so a run that is
 * training may be renamed too: the trainer never writes the name.
 * @throws RunNotFoundError; BadRunNameError for an overlong name or one with control characters.
 */
export function renameRun(db: Db, runId: number, newName: unknown): { id: number; oldName: string | null; name: string | null } {
  const name = checkRunName(newName);
  return db.transaction(() => {
    const row = db.prepare('SELECT id, name FROM runs WHERE id = ?').get(runId) as { id: number; name: string | null } | undefined;
    if (!row) throw new RunNotFoundError(runId);
    db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, runId);
    return { id: row.id, oldName: row.name, name };
  }).immediate();
}
