import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { createServices, type Services } from '../../src-main/handlers/all-handlers.ts';
import { dispatch } from '../../src-main/handlers/dispatch.ts';
import type { EventName, Events } from '../../src-shared/contract.ts';
import type { JobInfo } from '../../src-shared/job-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let catalogPath: string;
let folder: string;
let services: Services;
const events: Array<{ name: EventName; payload: unknown }> = [];
let waiters: Array<() => void> = [];

function nextEvent<K extends EventName>(name: K, pred: (p: Events[K]) => boolean = () => true): Promise<Events[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event`)), 120_000);
    const check = () => {
      const hit = events.find((e) => e.name === name && pred(e.payload as Events[K]));
      if (hit) {
        clearTimeout(timer);
        resolve(hit.payload as Events[K]);
      } else waiters.push(check);
    };
    check();
  });
}
const call = async (name: string, args?: unknown) => {
  const reply = await dispatch(services.handlers, name, args);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.value as never;
};

beforeAll(async () => {
  tmp = tempDir('lookalike-services-');
  catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(catalogPath);
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 12);
  services = createServices({
    db,
    catalogPath,
    transport: 'web',
    emit: (name, payload) => {
      events.push({ name, payload });
      for (const w of waiters.splice(0)) w();
    },
  });
});
afterAll(async () => {
  await services.dispose();
  db.close();
  tmp.cleanup();
});

describe('the services behind every transport', () => {
  it('run an import as a job: listed while it runs (kind, folder, start time), its events carry its id, gone once done', async () => {
    const { jobId } = await call('datasets:import', { folder, name: 'tiny' });
    const listed: JobInfo[] = await call('jobs:list');
    // Its progress in the list is the newest progress event it sent (without the id).
    const last = events.filter((e) => e.name === 'import:progress').at(-1)?.payload as Events['import:progress'] | undefined;
    const { jobId: _id, ...lastProgress } = last ?? { jobId };
    expect(listed).toEqual([{ jobId, kind: 'import', state: 'running', createdAt: expect.any(String), startedAt: expect.any(String), about: { folder }, progress: last ? lastProgress : null }]);
    const done = await nextEvent('import:done', (p) => p.jobId === jobId);
    expect(done.result.pairs).toBe(12);
    expect(events.filter((e) => e.name === 'import:progress').every((e) => (e.payload as { jobId: string }).jobId === jobId)).toBe(true);
    expect(events.filter((e) => e.name === 'jobs:state' && (e.payload as { jobId: string }).jobId === jobId).map((e) => (e.payload as { state: string }).state)).toEqual(['queued', 'running', 'done']);
    expect(await call('jobs:list')).toEqual([]);
  });

  it('run a query as a job: the answer (here: why there is none) arrives as an event of its id', async () => {
    const { jobId } = await call('query:start', { image: { path: path.join(folder, 'right', 'logo01.jpg') } });
    expect(typeof jobId).toBe('string');
    const failed = await nextEvent('query:failed', (p) => p.jobId === jobId);
    expect(failed.error.code).not.toBe('INTERNAL');
    expect(failed.error.message).toMatch(/run/);
  });

  it('queue a second training behind the first; training:cancel stops the running one as cancelled, jobs:cancel the queued one', { timeout: 240_000 }, async () => {
    const request = { backbone: 'mobilenetv2', inputSize: 32, epochs: 500, batchSize: 4, seed: 1 };
    const first = await call('training:start', { datasetId: 1, request });
    const second = await call('training:start', { datasetId: 1, request });
    expect([first, second].map((r: { state: string }) => r.state)).toEqual(['running', 'queued']);
    const { runId } = await nextEvent('training:run', (p) => p.jobId === (first as { jobId: string }).jobId);
    await call('jobs:cancel', { jobId: (second as { jobId: string }).jobId });
    expect(await nextEvent('training:failed', (p) => p.jobId === (second as { jobId: string }).jobId)).toMatchObject({ error: { code: 'CANCELLED' } });
    await call('training:cancel', { jobId: (first as { jobId: string }).jobId });
    const done = await nextEvent('training:done', (p) => p.jobId === (first as { jobId: string }).jobId);
    expect(done.run).toMatchObject({ id: runId, status: 'cancelled' });
    // The queued one never ran: one run in the catalog, and it can be resumed.
    expect(db.prepare('SELECT id, status FROM runs').all()).toEqual([{ id: runId, status: 'cancelled' }]);
    expect(await call('jobs:list')).toEqual([]);
  });

  it('say which backend training uses by asking a training worker, without loading tfjs into this process', async () => {
    const { line } = await call('training:backend');
    expect(line).toMatch(/backend: (wasm|cpu|tensorflow)/);
    // tfjs keeps its engine on the global object once loaded; this process never did.
    expect((globalThis as { _tfengine?: unknown })._tfengine).toBeUndefined();
  });

  it('after dispose() refuse new jobs with SHUTTING_DOWN, and a cancel of an unknown id is harmless', async () => {
    await expect(call('jobs:cancel', { jobId: 'nope' })).resolves.toBeUndefined();
    await services.dispose();
    await expect(call('datasets:import', { folder })).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
