import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, openCatalog, SCHEMA_VERSION } from '../../src-main/catalog/open-catalog.ts';
import { resolveCatalogPath } from '../../src-main/catalog/catalog-path.ts';
import { tempDir } from '../helpers/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

it('creates the catalog with WAL, foreign keys and the latest schema, and reopens it unchanged', () => {
  const file = path.join(tmp.dir, 'nested', 'catalog.sqlite');
  const db = openCatalog(file);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  // Foreign keys are enforced: a pair cannot point at images that do not exist.
  db.prepare("INSERT INTO datasets (name, root, created_at, imported_at) VALUES ('d', '/x', 'now', 'now')").run();
  expect(() =>
    db.prepare("INSERT INTO pairs (dataset_id, name, left_image_id, right_image_id, split, left_path, right_path) VALUES (1, 'p', 7, 8, 'train', 'a', 'b')").run(),
  ).toThrow(/FOREIGN KEY/);
  db.close();
  const again = openCatalog(file);
  expect(again.prepare('SELECT name FROM datasets').pluck().all()).toEqual(['d']);
  again.close();
});

it('refuses a catalog written by a newer Lookalike instead of damaging it', () => {
  const file = path.join(tmp.dir, 'future.sqlite');
  const raw = new Database(file);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  expect(() => openCatalog(file)).toThrow(CatalogError);
  expect(() => openCatalog(file)).toThrow(/newer than this Lookalike/);
});

it('finds the catalog: --db, then $LOOKALIKE_HOME, then the per-user data folder', () => {
  expect(resolveCatalogPath('/x/my.sqlite', { LOOKALIKE_HOME: '/h' })).toBe('/x/my.sqlite');
  expect(resolveCatalogPath(undefined, { LOOKALIKE_HOME: '/h' })).toBe('/h/catalog.sqlite');
  expect(resolveCatalogPath(undefined, { XDG_DATA_HOME: '/xdg' })).toBe(
    process.platform === 'linux' ? '/xdg/lookalike/catalog.sqlite' : resolveCatalogPath(undefined, {}),
  );
});

describe('a catalog cut short', () => {
  it('is refused at once as damaged, untouched, even where the pages a first command reads are all there', () => {
    {
      const file = path.join(tmp.dir, 'catalog.sqlite');
      const db = openCatalog(file);
      // Enough rows that the file spans many pages, then everything in the main file (no log beside it).
      db.exec('CREATE TABLE filler (x BLOB)');
      const insert = db.prepare('INSERT INTO filler VALUES (?)');
      for (let i = 0; i < 200; i++) insert.run(Buffer.alloc(4000, i));
      db.pragma('journal_mode = DELETE');
      db.close();
      const cut = path.join(tmp.dir, 'cut.sqlite');
      const bytes = fs.readFileSync(file);
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const before = fs.readFileSync(cut);
      expect(() => openCatalog(cut)).toThrow(expect.objectContaining({ code: 'CATALOG_CORRUPT', message: expect.stringMatching(/cut short/) }));
      expect(fs.readFileSync(cut).equals(before)).toBe(true);
      // The whole file opens as before.
      openCatalog(file).close();
    }
  });
});
