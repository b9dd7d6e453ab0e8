import type { Db } from './open-catalog.ts';

/** Which catalog tables a request's arguments may point into. */
export type ReferenceKind = 'dataset' | 'run' | 'image';

const TABLE: Record<ReferenceKind, string> = { dataset: 'datasets', run: 'runs', image: 'images' };

/** Whether a row of that kind exists: a request naming a missing one gets a not-found error, not an empty answer. */
export function referenceExists(db: Db, kind: ReferenceKind, id: number): boolean {
  return db.prepare(`SELECT 1 FROM ${TABLE[kind]} WHERE id = ?`).get(id) !== undefined;
}
