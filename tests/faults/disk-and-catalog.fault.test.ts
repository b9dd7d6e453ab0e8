import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { exportRun } from '../../src-main/export/export-run.ts';
import { writeRunReport } from '../../src-main/report/write-run-report.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { integrity } from './fault-kit.ts';

let tmp: ReturnType<typeof tempDir>;
let file: string;
let db: Db;
let run: RunSummary;
beforeAll(async () => {
  tmp = tempDir('lookalike-disk-');
  file = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(file);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 8), { name: 'tiny' });
  run = await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 1, batchSize: 4, augment: 0 });
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  db?.close();
  tmp?.cleanup();
});

const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const enospc = (p: unknown) => Object.assign(new Error(`ENOSPC: no space left on device, write '${String(p)}'`), { code: 'ENOSPC', errno: -28 });

describe('a full disk', () => {
  it('a catalog that cannot grow (SQLITE_FULL, what SQLite reports for ENOSPC) fails the import whole, and the next one works', async () => {
    const big = await makeTinyPairedFolder(path.join(tmp.dir, 'big'), 30);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 3}`);
    try {
      await expect(importFolder(db, big, { name: 'big' })).rejects.toThrow(/full/);
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    expect(integrity(file)).toBe('ok');
    expect(db.prepare("SELECT COUNT(*) AS n FROM datasets WHERE name = 'big'").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM pairs p JOIN datasets d ON d.id = p.dataset_id WHERE d.name = 'tiny'").get()).toEqual({ n: 8 });
    expect((await importFolder(db, big, { name: 'big' })).pairs).toBe(30);
  });

  for (const nth of [1, 2, 3]) {
    it(`export: ENOSPC at write ${nth} leaves no folder and no staging files; the next export works`, async () => {
      const out = path.join(tmp.dir, `export-${nth}`);
      const real = fs.writeFileSync;
      let calls = 0;
      vi.spyOn(fs, 'writeFileSync').mockImplementation((p, data, o) => {
        if (++calls === nth) throw enospc(p);
        return real(p, data, o);
      });
      await expect(exportRun(db, run.id, out)).rejects.toMatchObject({ code: 'ENOSPC' });
      vi.restoreAllMocks();
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(tmp.dir).filter((n) => n.includes('.export-'))).toEqual([]);
      expect(integrity(file)).toBe('ok');
      expect((await exportRun(db, run.id, out)).files.length).toBeGreaterThan(3);
    });
  }

  it('report: ENOSPC leaves neither the report nor a temporary file; the next report works', async () => {
    const out = path.join(tmp.dir, 'report.html');
    vi.spyOn(fsp, 'writeFile').mockRejectedValue(enospc(out));
    await expect(writeRunReport(db, run.id, out)).rejects.toMatchObject({ code: 'ENOSPC' });
    vi.restoreAllMocks();
    expect(fs.readdirSync(tmp.dir).filter((n) => n.startsWith('report.html'))).toEqual([]);
    expect((await writeRunReport(db, run.id, out)).bytes).toBeGreaterThan(1000);
  });
});

describe('a catalog Lookalike cannot use', () => {
  it('a corrupted catalog file: a clear error from every command, and the file is not touched', async () => {
    const cases: Record<string, Buffer> = {
      garbage: Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919) % 251)),
      text: Buffer.from('these are my notes, not a database\n'),
      truncated: fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2)),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const bad = path.join(tmp.dir, `${name}.sqlite`);
      fs.writeFileSync(bad, bytes);
      const before = sha(bad);
      for (const args of [['datasets'], ['import', path.join(tmp.dir, 'tiny'), '--name', 'again']]) {
        const r = await runCli(['--db', bad, ...args]);
        expect(r.code, `${name}: ${args[0]}`).toBe(1);
        expect(r.stderr, name).toMatch(/not a Lookalike catalog or it is damaged.*left untouched/);
        expect(r.stderr, name).not.toContain('my notes');
      }
      expect(sha(bad), name).toBe(before);
    }
  });

  it('a read-only catalog: a clear error, the file unchanged, and reads from a writable copy work', async () => {
    const dir = path.join(tmp.dir, 'readonly');
    fs.mkdirSync(dir);
    const ro = path.join(dir, 'catalog.sqlite');
    db.pragma('wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(file, ro);
    fs.chmodSync(ro, 0o444);
    fs.chmodSync(dir, 0o555);
    fs.chmodSync(tmp.dir, 0o755);
    const before = sha(ro);
    // Root ignores permission bits: run the CLI as an ordinary user, as a user would meet the problem.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    try {
      for (const args of [['datasets'], ['import', path.join(tmp.dir, 'tiny'), '--name', 'again']]) {
        const r = await runCli(['--db', ro, ...args], { spawn: { ...asUser, env: { ...process.env, HOME: tmp.dir, NO_COLOR: '1' } } });
        expect(r.code, args[0]).toBe(1);
        expect(r.stderr, args[0]).toMatch(/read-only|readonly/);
      }
    } finally {
      fs.chmodSync(dir, 0o755);
    }
    expect(sha(ro)).toBe(before);
    fs.chmodSync(ro, 0o644);
    const r = await runCli(['--db', ro, 'datasets', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((d: { name: string }) => d.name)).toContain('tiny');
  });
});
