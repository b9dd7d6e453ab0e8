import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/catalog/migrations.ts';
import { openCatalog, SCHEMA_VERSION } from '../../src-main/catalog/open-catalog.ts';
import { createRun, getRun, listRuns, RunNotFoundError } from '../../src-main/catalog/runs.ts';
import { BadRunNameError, renameRun } from '../../src-main/catalog/run-name.ts';
import type { TrainConfig } from '../../src-shared/training-types.ts';
import { expectErrorCode } from '../helpers/expect-error-code.ts';
import { tempDir } from '../helpers/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const CONFIG = { backbone: 'mobilenetv2', mode: 'head', epochs: 2 } as TrainConfig;

/** A catalog as the previous Lookalike wrote it: schema 4, one dataset and a finished run, no name column. */
function catalogOfSchema4(file: string): void {
  const raw = new Database(file);
  for (const sql of MIGRATIONS.slice(0, 4)) raw.exec(sql);
  raw.pragma('user_version = 4');
  raw.prepare("INSERT INTO datasets (name, root, created_at, imported_at) VALUES ('brands', '/x', 'then', 'then')").run();
  raw.prepare(
    `INSERT INTO runs (dataset_id, status, config, backend, weights_source, epochs_done, created_at, updated_at, finished_at)
     VALUES (1, 'done', ?, 'wasm (cpu)', 'bundled', 2, 'then', 'then', 'then')`,
  ).run(JSON.stringify(CONFIG));
  raw.prepare("INSERT INTO run_epochs (run_id, epoch, loss, val_loss, seconds) VALUES (1, 1, 0.5, NULL, 1), (1, 2, 0.4, NULL, 1)").run();
  raw.close();
}

describe('run names', () => {
  it('migrates a schema-4 catalog: its run is kept as it was, without a name, and can then be named', () => {
    expect(SCHEMA_VERSION).toBe(5);
    const file = path.join(tmp.dir, 'old.sqlite');
    catalogOfSchema4(file);
    const db = openCatalog(file);
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    const run = getRun(db, 1);
    expect(run).toMatchObject({ id: 1, datasetName: 'brands', status: 'done', name: null, epochsDone: 2, config: CONFIG });
    expect(run.epochs.map((e) => e.loss)).toEqual([0.5, 0.4]);
    expect(renameRun(db, 1, '  first try  ')).toEqual({ id: 1, oldName: null, name: 'first try' });
    db.close();
    // Reopened: the name is stored, and nothing migrates twice.
    const again = openCatalog(file);
    expect(listRuns(again).map((r) => r.name)).toEqual(['first try']);
    again.close();
  });

  it('renames, takes the name away with an empty one, and refuses a bad name or run without changing anything', () => {
    const db = openCatalog(path.join(tmp.dir, 'c.sqlite'));
    db.prepare("INSERT INTO datasets (name, root, created_at, imported_at) VALUES ('d', '/x', 'now', 'now')").run();
    const id = createRun(db, 1, CONFIG, 'wasm (cpu)', 'bundled');
    expect(getRun(db, id).name).toBeNull();
    expect(renameRun(db, id, 'resnet, 8 look-alikes').name).toBe('resnet, 8 look-alikes');
    expect(renameRun(db, id, 'second')).toEqual({ id, oldName: 'resnet, 8 look-alikes', name: 'second' });
    expectErrorCode(() => renameRun(db, id, 'tab\there'), BadRunNameError, 'BAD_NAME');
    expectErrorCode(() => renameRun(db, id, 'x'.repeat(201)), BadRunNameError, 'BAD_NAME');
    expectErrorCode(() => renameRun(db, id + 1, 'nope'), RunNotFoundError, 'RUN_NOT_FOUND');
    expect(getRun(db, id).name).toBe('second');
    // Renaming a running run leaves its status and lease alone.
    expect(getRun(db, id).status).toBe('running');
    expect(renameRun(db, id, '   ')).toEqual({ id, oldName: 'second', name: null });
    expect(getRun(db, id).name).toBeNull();
    db.close();
  });
});
