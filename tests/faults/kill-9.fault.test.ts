import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src-main/ml/seeded-random.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runMain } from '../helpers/run-cli.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { integrity, peek, runAndKill, Tally, timeCommand, type KillOutcome } from './fault-kit.ts';

/**
 * kill -9 at seeded random points of import, training, the catalog embedding of a run's first query, and
 * export. After every kill: the catalog passes integrity_check, nothing is half-written (a dataset is there
 * whole or not at all, epochs match their checkpoint, vectors are whole, an export folder is absent or complete),
 * and the next command works. Kill points are drawn from [0, 1.2 × the command's own uninterrupted time], so
 * some trials finish first: that is part of the sample, and counted.
 */
const TRIALS = 20;
const SEED = 20261201;
const random = createRandom(SEED);
const tally = new Tally();

let tmp: ReturnType<typeof tempDir>;
let home: string;
let db: string;
const env = () => ({ LOOKALIKE_HOME: home });
const cli = (...args: string[]) => ['--db', db, ...args];

beforeAll(async () => {
  tmp = tempDir('lookalike-faults-');
  home = path.join(tmp.dir, 'home');
  db = path.join(home, 'catalog.sqlite');
  const tiny = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 8);
  expect((await runMain(cli('import', tiny), { home })).code).toBe(0);
});
afterAll(() => {
  tally.print();
  tmp?.cleanup();
});

const killPoint = (fullMs: number) => Math.round(random.next() * fullMs * 1.2);

describe('kill -9 at random points', () => {
  it(`import: ${TRIALS} trials`, async () => {
    const started = Date.now();
    const folders = await Promise.all(Array.from({ length: TRIALS + 1 }, (_, i) => makeTinyPairedFolder(path.join(tmp.dir, `imp${i}`), 4)));
    const full = await timeCommand(cli('import', folders[TRIALS], '--name', 'baseline'), env());
    const outcomes: KillOutcome[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const o = await runAndKill(cli('import', folders[i], '--name', `imp${i}`), killPoint(full), env());
      outcomes.push(o);
      expect(integrity(db), `trial ${i}`).toBe('ok');
      // Whole or absent: a dataset row always comes with all 4 of its pairs.
      const pairs = peek(db, (d) => d.prepare('SELECT COUNT(*) AS n FROM pairs p JOIN datasets s ON s.id = p.dataset_id WHERE s.name = ?').get(`imp${i}`) as { n: number }).n;
      const exists = peek(db, (d) => d.prepare('SELECT COUNT(*) AS n FROM datasets WHERE name = ?').get(`imp${i}`) as { n: number }).n;
      expect([exists, pairs], `trial ${i} (${o.killed ? `killed at ${o.afterMs} ms` : 'finished'})`).toEqual(exists ? [1, 4] : [0, 0]);
      // The next command works: the same import, to its end.
      const next = await runMain(cli('import', folders[i], '--name', `imp${i}`, '--json'), { home });
      expect(next.code, next.stderr).toBe(0);
      expect(JSON.parse(next.stdout).pairs).toBe(4);
    }
    tally.add('import', outcomes, (Date.now() - started) / 1000);
  });

  let runId = 0;
  it(`training: ${TRIALS} trials`, async () => {
    const started = Date.now();
    const train = cli('train', 'tiny', '--backbone', 'mobilenetv2', '--epochs', '3', '--batch-size', '4', '--augment', '0', '--json');
    const full = await timeCommand(train, env());
    const outcomes: KillOutcome[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const o = await runAndKill(train, killPoint(full), env());
      outcomes.push(o);
      expect(integrity(db), `trial ${i}`).toBe('ok');
      const runs = peek(db, (d) =>
        d
          .prepare(
            `SELECT r.id, r.status, r.epochs_done AS done, (SELECT MAX(epoch) FROM run_epochs e WHERE e.run_id = r.id) AS lastEpoch,
                    (SELECT epoch FROM run_checkpoints c WHERE c.run_id = r.id) AS checkpoint FROM runs r`,
          )
          .all() as Array<{ id: number; status: string; done: number; lastEpoch: number | null; checkpoint: number | null }>,
      );
      // Every epoch listed has its checkpoint, and the run says how many there are.
      for (const r of runs) expect([r.lastEpoch ?? 0, r.checkpoint ?? 0], `run ${r.id}`).toEqual([r.done, r.done]);
      const last = runs[runs.length - 1];
      if (last.status === 'running') {
        // Killed: its lease is still fresh for a while, so the next command is the user's `resume --force`.
        const next = await runMain(cli('resume', String(last.id), '--force', '--json'), { home });
        expect(next.code, next.stderr).toBe(0);
        expect(JSON.parse(next.stdout.trim().split('\n').pop()!).run).toMatchObject({ status: 'done', epochsDone: 3 });
      } else expect(last.status).toBe('done');
      runId = last.id;
    }
    tally.add('training', outcomes, (Date.now() - started) / 1000);
  });

  it(`catalog embedding (a run's first query): ${TRIALS} trials`, async () => {
    const started = Date.now();
    const image = path.join(tmp.dir, 'tiny', 'right', 'logo01.jpg');
    const query = cli('query', image, '--run', String(runId), '--json');
    const forget = () => peek(db, (d) => d.prepare('DELETE FROM embeddings WHERE embedder = ?').run(`run:${runId}`));
    forget();
    const full = await timeCommand(query, env());
    const dim = peek(db, (d) => (d.prepare('SELECT length(vector) AS n FROM embeddings WHERE embedder = ? LIMIT 1').get(`run:${runId}`) as { n: number }).n);
    const outcomes: KillOutcome[] = [];
    for (let i = 0; i < TRIALS; i++) {
      forget();
      const o = await runAndKill(query, killPoint(full), env());
      outcomes.push(o);
      expect(integrity(db), `trial ${i}`).toBe('ok');
      // Vectors are written whole or not at all.
      const bad = peek(db, (d) => (d.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE embedder = ? AND length(vector) != ?').get(`run:${runId}`, dim) as { n: number }).n);
      expect(bad).toBe(0);
      const next = await runMain(query, { home });
      expect(next.code, next.stderr).toBe(0);
      expect(JSON.parse(next.stdout).hits.length).toBeGreaterThan(0);
    }
    tally.add('embedding', outcomes, (Date.now() - started) / 1000);
  });

  it(`export: ${TRIALS} trials`, async () => {
    const started = Date.now();
    const full = await timeCommand(cli('export', String(runId), '--out', path.join(tmp.dir, 'exp-baseline')), env());
    const complete = fs.readdirSync(path.join(tmp.dir, 'exp-baseline'), { recursive: true }).map(String).sort();
    const outcomes: KillOutcome[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const out = path.join(tmp.dir, `exp${i}`);
      const o = await runAndKill(cli('export', String(runId), '--out', out), killPoint(full), env());
      outcomes.push(o);
      expect(integrity(db), `trial ${i}`).toBe('ok');
      // Absent or complete, never a folder with some of the files.
      if (fs.existsSync(out)) expect(fs.readdirSync(out, { recursive: true }).map(String).sort(), `trial ${i}`).toEqual(complete);
      const next = await runMain(cli('export', String(runId), '--out', out, '--force'), { home });
      expect(next.code, next.stderr).toBe(0);
      expect(fs.readdirSync(out, { recursive: true }).map(String).sort()).toEqual(complete);
    }
    tally.add('export', outcomes, (Date.now() - started) / 1000);
  });
});
