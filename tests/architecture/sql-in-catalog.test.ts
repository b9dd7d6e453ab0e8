import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A database call: better-sqlite3's prepare / pragma / transaction, or exec with SQL text. (A RegExp's exec takes
 * a variable, `PATTERN.exec(s)`, so it is not mistaken for one.)
 */
export const SQL_CALL = /\.(?:prepare|pragma|transaction)\s*\(|\.exec\s*\(\s*[`'"]/;

/** Files of src-main outside catalog/ with a database call, each with the first offending line. */
export function sqlOutsideCatalog(dir = path.join(root, 'src-main')): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (path.relative(path.join(root, 'src-main'), p) !== 'catalog') walk(p);
      } else if (/\.(ts|mts|mjs)$/.test(e.name)) {
        const lines = fs.readFileSync(p, 'utf8').split('\n');
        const n = lines.findIndex((l) => SQL_CALL.test(l));
        if (n >= 0) out.push(`${path.relative(root, p)}:${n + 1}: ${lines[n].trim()}`);
      }
    }
  };
  walk(dir);
  return out;
}

it('keeps every SQL statement in src-main/catalog/ (one repository per group of tables)', () => {
  expect(sqlOutsideCatalog()).toEqual([]);
});

it('recognises database calls and not a RegExp exec', () => {
  for (const line of [
    "db.prepare('SELECT 1')",
    'db.exec(`CREATE TEMP TABLE t (x)`)',
    "db.pragma('journal_mode = WAL')",
    'db.transaction(() => {})',
    '  .prepare(',
  ]) {
    expect(SQL_CALL.test(line), line).toBe(true);
  }
  expect(SQL_CALL.test('const match = MEDIA_PATH.exec(pathname);')).toBe(false);
});

it('fails on a file outside catalog/ that prepares a statement', () => {
  const tmp = fs.mkdtempSync(path.join(root, 'node_modules', '.sql-probe-'));
  try {
    fs.mkdirSync(path.join(tmp, 'search'));
    fs.writeFileSync(path.join(tmp, 'search', 'leak.ts'), "export const n = (db: any) => db.prepare('SELECT COUNT(*) FROM images').get();\n");
    expect(sqlOutsideCatalog(tmp)).toEqual([expect.stringContaining("leak.ts:1: export const n = (db: any) => db.prepare(")]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
