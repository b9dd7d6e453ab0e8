import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src-main/app-paths.ts';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import type { JobInfo } from '../../src-shared/job-types.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';
import { noisyJpeg, tempDir, writeTree } from '../helpers/fixtures.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { TestClient } from './server-client.ts';

// Nothing here measures time: each step waits for an event or the process's exit, with generous timeouts only
// so a broken build fails instead of hanging.
const LONG = 240_000;

let tmp: ReturnType<typeof tempDir>;
let folder: string;
beforeAll(async () => {
  tmp = tempDir('lookalike-signals-');
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 12);
});
afterAll(() => tmp.cleanup());

function runStatuses(catalog: string): Array<{ id: number; status: string }> {
  const db = openCatalog(catalog);
  try {
    return db.prepare('SELECT id, status FROM runs ORDER BY id').all() as Array<{ id: number; status: string }>;
  } finally {
    db.close();
  }
}

/** A long training on the tiny set: it is still running whenever the test decides to stop it. */
const LONG_TRAINING = { backbone: 'mobilenetv2', inputSize: 32, epochs: 500, batchSize: 4, seed: 1 } as const;

describe('signals', () => {
  it('serve: after a query and with a training running and one queued, one SIGTERM cancels both cleanly and the process exits', { timeout: LONG }, async () => {
    const catalog = path.join(tmp.dir, 'serve.sqlite');
    const db = openCatalog(catalog);
    await importFolder(db, folder, { name: 'tiny' });
    db.close();

    const child = spawn(process.execPath, [CLI, '--db', catalog, 'serve', '--json'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const info = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
      }),
    ) as { port: number; token: string };
    const c = await TestClient.connect(`ws://127.0.0.1:${info.port}/ws?token=${info.token}`);

    // A query first: before the runner closed the query worker, any query kept serve alive past the first signal.
    const q = (await c.request('query:start', { image: { path: path.join(folder, 'right', 'logo01.jpg') } })) as { ok: true; value: { jobId: string } };
    expect(q.ok).toBe(true);
    await c.event('query:failed', (p) => p.jobId === q.value.jobId); // no finished run to query with yet

    const a = (await c.request('training:start', { datasetId: 1, request: LONG_TRAINING })) as { ok: true; value: { jobId: string; state: string } };
    const b = (await c.request('training:start', { datasetId: 1, request: LONG_TRAINING })) as { ok: true; value: { jobId: string; state: string } };
    expect(a.value.state).toBe('running');
    // Trainings run one after another: the second one waits, visibly.
    expect(b.value.state).toBe('queued');
    const { runId } = await c.event('training:run', (p) => p.jobId === a.value.jobId);
    await c.event('training:epoch', (p) => p.jobId === a.value.jobId);
    const listed = ((await c.request('jobs:list')) as { ok: true; value: JobInfo[] }).value;
    expect(listed.map((j) => [j.jobId, j.kind, j.state])).toEqual([
      [a.value.jobId, 'training', 'running'],
      [b.value.jobId, 'training', 'queued'],
    ]);
    expect(listed[0]).toMatchObject({ about: { datasetId: 1, runId }, startedAt: expect.any(String), progress: { phase: 'train' } });
    expect(listed[1].startedAt).toBeNull();

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toMatch(/stopping the server…\nstopped/);
    // The page heard both ends before the goodbye: the run cancelled with its epochs, the queued job cancelled.
    const done = c.events.find((e) => e.event === 'training:done')?.payload as { jobId: string; run: RunSummary } | undefined;
    expect(done).toMatchObject({ jobId: a.value.jobId, run: { id: runId, status: 'cancelled' } });
    expect(c.events.find((e) => e.event === 'training:failed')?.payload).toMatchObject({ jobId: b.value.jobId, error: { code: 'CANCELLED' } });
    // Only the first training ever made a run, and it is cancelled (resumable), not left "running".
    expect(runStatuses(catalog)).toEqual([{ id: runId, status: 'cancelled' }]);
  });

  it('train: SIGTERM cancels like Ctrl-C — exit 130, the run cancelled and resumable', { timeout: LONG }, async () => {
    const home = path.join(tmp.dir, 'home');
    expect((await runCli(['import', folder, '--json'], { home })).code).toBe(0);
    let child: ChildProcess | undefined;
    let sent = false;
    const r = await runCli(['train', 'tiny', '--backbone', 'mobilenetv2', '--epochs', '500', '--batch-size', '4'], {
      home,
      onStderr: (chunk) => {
        if (!sent && /epoch 1:/.test(chunk)) {
          sent = true;
          child?.kill('SIGTERM');
        }
      },
      onSpawn: (p) => (child = p),
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stdout).toMatch(/cancelled/);
    expect(runStatuses(path.join(home, 'catalog.sqlite'))).toEqual([{ id: 1, status: 'cancelled' }]);
  });

  it('import: SIGTERM while decoding cancels it — exit 130, the catalog unchanged', { timeout: LONG }, async () => {
    const home = path.join(tmp.dir, 'home-import');
    const many = path.join(tmp.dir, 'many');
    // Enough work that the import is still decoding when its first progress line appears (after one second).
    const big = await noisyJpeg(800, 800, 3);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 200; i++) files[`left/n${i}.jpg`] = files[`right/n${i}.jpg`] = big;
    writeTree(many, files);
    let child: ChildProcess | undefined;
    let sent = false;
    const r = await runCli(['import', many], {
      home,
      onSpawn: (p) => (child = p),
      onStderr: (chunk) => {
        if (!sent && /decoding \[/.test(chunk)) {
          sent = true;
          child?.kill('SIGTERM');
        }
      },
    });
    expect(sent, 'the import was still decoding').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/cancelled; the catalog is unchanged/);
    const db = openCatalog(path.join(home, 'catalog.sqlite'));
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM datasets').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM images').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
