import path from 'node:path';
import type { Worker as NodeWorker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { getRun } from '../../src-main/catalog/runs.ts';
import { trainInWorker } from '../../src-main/training/train-in-worker.ts';
import type { TrainRequest } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

// Every training worker this file starts, so that a test can kill one the way a crash would.
const workers = vi.hoisted(() => [] as NodeWorker[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      workers.push(this);
    }
  }
  return { ...real, default: { ...real, Worker: RecordedWorker }, Worker: RecordedWorker };
});

const FAST: TrainRequest = { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 8, learningRate: 1e-3, seed: 7, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let dbFile: string;
let db: Db;

beforeAll(async () => {
  tmp = tempDir();
  dbFile = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(dbFile);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 16), { name: 'tiny' });
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

it('a training worker that dies marks its run failed, so it can be resumed instead of staying "running"', async () => {
  let runId: number | undefined;
  const job = trainInWorker(dbFile, { kind: 'new', dataset: 'tiny', request: { ...FAST, epochs: 50 } }, {
    onRunCreated: (id) => {
      runId = id;
      // As a native crash or an out-of-memory kill would: the worker goes without a word.
      void workers.at(-1)!.terminate();
    },
  });
  await expect(job).rejects.toMatchObject({ code: 'WORKER_CRASHED', message: expect.stringContaining('without a result') });
  expect(runId).toEqual(expect.any(Number));
  const run = getRun(db, runId!);
  expect(run.status).toBe('failed');
  expect(run.error).toMatch(/training worker exited/);
  expect(run.epochsDone).toBeLessThan(50);
});
