import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { createServices, type Services } from '../../src-main/handlers/all-handlers.ts';
import { dispatch } from '../../src-main/handlers/dispatch.ts';
import type { EventName, Events } from '../../src-shared/contract.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let services: Services;
let runId: number;
let heldout: string;
const events: Array<{ name: EventName; payload: { jobId: string } }> = [];

beforeAll(async () => {
  tmp = tempDir();
  const catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 8), { name: 'tiny' });
  runId = (await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 4, seed: 1, augment: 0 })).id;
  heldout = await makeTinyPairedFolder(path.join(tmp.dir, 'heldout'), 5);
  services = createServices({ db, catalogPath, transport: 'web', emit: (name, payload) => void events.push({ name, payload: payload as { jobId: string } }) });
}, 120_000);
afterAll(async () => {
  await services.dispose();
  db.close();
  tmp.cleanup();
});

async function ended(jobId: string): Promise<{ name: EventName; payload: unknown }> {
  for (;;) {
    const e = events.find((x) => x.payload.jobId === jobId && (x.name === 'runs:taskDone' || x.name === 'runs:taskFailed'));
    if (e) return e;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('evaluates a run on a held-out folder beside pHash and the untrained backbone, with progress, in its worker', async () => {
  const reply = await dispatch(services.handlers, 'runs:task', { kind: 'evaluate', runId, folder: heldout });
  expect(reply.ok).toBe(true);
  const { jobId } = (reply as { value: { jobId: string } }).value;
  const end = await ended(jobId);
  expect(end.name).toBe('runs:taskDone');
  const result = (end.payload as Events['runs:taskDone']).result;
  expect(result).toMatchObject({ kind: 'evaluate', runId, folder: heldout });
  if (result.kind !== 'evaluate') throw new Error('not an evaluation');
  expect(result.columns.map((c) => c.label)).toEqual([`run #${runId}`, 'pHash', 'untrained mobilenetv2 (mid-multi-gem-polarity)']);
  expect(result.columns.every((c) => c.scores.queries === 5 && c.scores.gallery === 5)).toBe(true);
  // Open-set rows: the 8-pair run has too few val pairs for a tau, so its rates are empty; the baselines get the
  // rates at the tau tuned on this folder, as `lookalike eval` prints them.
  expect(result.columns[0].openSet).toEqual({ tau: null, falseMatchRate: null, trueMatchRate: null, tunedOnFolder: false });
  for (const c of result.columns.slice(1)) {
    expect(c.openSet?.tunedOnFolder).toBe(true);
    expect(c.openSet?.falseMatchRate).toBeGreaterThanOrEqual(0);
    expect(c.openSet?.falseMatchRate).toBeLessThanOrEqual(1);
    expect(c.openSet?.trueMatchRate).toBeGreaterThanOrEqual(0);
    expect(typeof c.openSet?.tau).toBe('number');
  }
  const steps = events.filter((e) => e.name === 'runs:taskProgress' && e.payload.jobId === jobId).map((e) => (e.payload as Events['runs:taskProgress']).step);
  expect(new Set(steps)).toEqual(new Set(result.columns.map((c) => c.label)));
});

it('writes the report under the catalog folder, and a cancelled export ends cancelled with no folder left', async () => {
  const report = await dispatch(services.handlers, 'runs:task', { kind: 'report', runId });
  const done = (await ended((report as { value: { jobId: string } }).value.jobId)).payload as Events['runs:taskDone'];
  if (done.result.kind !== 'report') throw new Error(`not a report: ${JSON.stringify(done)}`);
  expect(done.result.file).toBe(path.join(`${db.name}.d`, 'reports', `run-${runId}-report.html`));
  expect(fs.readFileSync(done.result.file, 'utf8')).toContain('<html');

  const exp = await dispatch(services.handlers, 'runs:task', { kind: 'export', runId, outDir: path.join(tmp.dir, 'out') });
  const jobId = (exp as { value: { jobId: string } }).value.jobId;
  await dispatch(services.handlers, 'jobs:cancel', { jobId });
  const end = await ended(jobId);
  expect(end.name).toBe('runs:taskFailed');
  expect((end.payload as Events['runs:taskFailed']).error.code).toBe('CANCELLED');
  expect(fs.existsSync(path.join(tmp.dir, 'out', `run-${runId}`))).toBe(false);

  const missing = await dispatch(services.handlers, 'runs:task', { kind: 'evaluate', runId: 999, folder: heldout });
  expect(missing).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
});
