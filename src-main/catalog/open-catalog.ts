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
  const truncated = truncation(file);
  if (truncated) {
    throw new CatalogError(
      'CATALOG_CORRUPT',
      `cannot open catalog ${file}: it is not a Lookalike catalog or it is damaged (${truncated}); it was left untouched — restore it from a backup, or use another --db`,
    );
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

/**
 * Why an SQLite file is shorter than its own header says, or null. SQLite reads a missing page as zeros and only
 * fails on the pages a statement touches, so a catalog cut in half by a failed copy can answer `datasets` and
 * break later; its header (https://sqlite.org/fileformat.html §1.3: page size at 16, size in pages at 28, valid
 * when the counter at 92 equals the change counter at 24) tells at once.
 */
function truncation(file: string): string | null {
  // With a write-ahead log beside it, the file may be mid-checkpoint (page 1 written before the pages it counts):
  // SQLite recovers that from the log, so only a catalog without one is judged by its header.
  try {
    if (fs.statSync(`${file}-wal`).size > 0) return null;
  } catch {
    // no log: judge the file
  }
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null; // missing or unreadable: the open below says so
  }
  try {
    const header = Buffer.alloc(100);
    if (fs.readSync(fd, header, 0, 100, 0) < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return null;
    const rawPageSize = header.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    const pages = header.readUInt32BE(28);
    if (header.readUInt32BE(92) !== header.readUInt32BE(24) || pages === 0) return null; // size field not trusted
    const size = fs.fstatSync(fd).size;
    return size < pages * pageSize ? `the file is ${size} bytes, its header says ${pages * pageSize}: it was cut short` : null;
  } finally {
    fs.closeSync(fd);
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
