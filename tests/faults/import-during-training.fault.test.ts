import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src-main/app-paths.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { integrity, peek } from './fault-kit.ts';

let tmp: ReturnType<typeof tempDir>;
let db: string;
beforeAll(() => {
  tmp = tempDir('lookalike-contention-');
  db = path.join(tmp.dir, 'catalog.sqlite');
});
afterAll(() => tmp?.cleanup());

/** Starts the epoch writer (another process, holding the catalog's write lock most of the time). */
async function startWriter(): Promise<{ stop: () => Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'tests', 'faults', 'epoch-writer.ts'), db], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the epoch writer exited (${code}) before it was ready`)));
    const check = setInterval(() => out.includes('ready') && (clearInterval(check), resolve()), 20);
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve(Number(/epochs (\d+)/.exec(out)?.[1] ?? -1)));
        child.stdin!.end();
      }),
  };
}

it('20 CLI imports while another process writes epoch checkpoints: 0 fail, none says "database is locked"', async () => {
  const folders = await Promise.all(Array.from({ length: 20 }, (_, i) => makeTinyPairedFolder(path.join(tmp.dir, `f${i}`), 3)));
  // The catalog exists before either side starts, as it would while a run trains.
  expect((await runCli(['--db', db, 'datasets'])).code).toBe(1); // missing: refused, nothing created
  const first = await runCli(['--db', db, 'import', folders[0], '--name', 'd0']);
  expect(first.code, first.stderr).toBe(0);
  const writer = await startWriter();
  const epochsBefore = () => peek(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM run_epochs').get() as { n: number }).n);
  const results: Array<{ code: number | null; stderr: string }> = [];
  let during = 0;
  try {
    // Four at a time: the imports contend with each other too, as imports from the app and the CLI would.
    for (let i = 1; i < 20; i += 4) {
      const batch = folders.slice(i, i + 4).map((f, j) => runCli(['--db', db, 'import', f, '--name', `d${i + j}`]));
      results.push(...(await Promise.all(batch)));
      during = epochsBefore();
    }
  } finally {
    const written = await writer.stop();
    expect(written).toBeGreaterThan(0);
  }
  results.unshift(first);
  const failed = results.filter((r) => r.code !== 0);
  expect(failed.map((r) => r.stderr)).toEqual([]);
  expect(results.every((r) => !/locked|busy/i.test(r.stderr))).toBe(true);
  expect(results).toHaveLength(20);
  // The writer really wrote while the imports ran (not before, not after).
  expect(during).toBeGreaterThan(0);
  expect(peek(db, (d) => (d.prepare("SELECT COUNT(*) AS n FROM datasets WHERE name LIKE 'd%'").get() as { n: number }).n)).toBe(20);
  expect(integrity(db)).toBe('ok');
});
