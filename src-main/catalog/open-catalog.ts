import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/** A catalog that cannot be opened or migrated, with a code the CLI and the UI can act on. */
export class CatalogError extends Error {
  constructor(readonly code: 'CATALOG_OPEN' | 'CATALOG_TOO_NEW' | 'CATALOG_MIGRATE' | 'CATALOG_MISSING' | 'CATALOG_CORRUPT' | 'CATALOG_READONLY', message: string) {
    super(message);
  }
}

/**
 * Opens (creating if needed) the catalog at `file`, in WAL mode with foreign keys on, and brings its schema to
 * the latest version. Each migration runs in its own transaction, so a failure leaves the previous version.
 * `mustExist`: refuse a missing file (CATALOG_MISSING) instead of creating it and its folders.
 */
export function openCatalog(file: string, opts: { readonly?: boolean; mustExist?: boolean } = {}): Db {
  let db: Db;
  if (opts.mustExist && !fs.existsSync(file)) {
    // Before anything is created: a command that only reads must not leave an empty catalog (or folders) behind.
    throw new CatalogError('CATALOG_MISSING', `no catalog at ${file}: import a dataset first (lookalike import FOLDER), or check --db`);
  }
  try {
    if (!opts.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    throw new CatalogError('CATALOG_OPEN', `cannot open catalog ${file}: ${(e as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (!opts.readonly) migrate(db);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof CatalogError) throw e;
    throw openError(file, e as Error & { code?: string });
  }
}

/** Says what is wrong with a catalog SQLite would not open, in words a user can act on. */
function openError(file: string, e: Error & { code?: string }): CatalogError {
  const code = String(e.code ?? '');
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new CatalogError(
      'CATALOG_CORRUPT',
      `cannot open catalog ${file}: it is not a Lookalike catalog or it is damaged (${e.message}); it was left untouched — restore it from a backup, or use another --db`,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new CatalogError(
      'CATALOG_READONLY',
      `cannot open catalog ${file}: it is read-only (${e.message}); Lookalike writes to its catalog even to read it (the journal and migrations), so copy it somewhere writable or fix its permissions`,
    );
  }
  return new CatalogError('CATALOG_OPEN', `cannot open catalog ${file}: ${e.message}`);
}

/** The schema version this build of Lookalike writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new CatalogError(
      'CATALOG_TOO_NEW',
      `catalog schema is version ${current}, newer than this Lookalike understands (${SCHEMA_VERSION}); update Lookalike`,
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    try {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    } catch (e) {
      throw new CatalogError('CATALOG_MIGRATE', `catalog migration ${v + 1} failed: ${(e as Error).message}`);
    }
  }
}
