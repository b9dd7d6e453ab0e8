import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { claimRun, createRun, finishRun, getRun, listRuns, renewLease, RUN_LEASE_MS } from '../../src-main/catalog/runs.ts';
import { RunLeaseKeeper, RunTakenOverError } from '../../src-main/training/run-lease.ts';
import type { TrainConfig } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';

// Every time here is an injected clock value (ms): nothing sleeps, nothing depends on how fast the machine is.
const T0 = Date.UTC(2026, 0, 1);

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let datasetId: number;
beforeEach(() => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  datasetId = Number(db.prepare("INSERT INTO datasets (name, root, created_at, imported_at) VALUES ('d', '/d', 'x', 'x')").run().lastInsertRowid);
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

const newRun = (owner = 'me', now = T0) => createRun(db, datasetId, {} as TrainConfig, 'cpu', 'imagenet', { owner, now });

describe('run lease: a dead owner is detected without trusting pids or hostnames', () => {
  it('a run is interrupted only once its heartbeat is older than the lease', () => {
    const id = newRun();
    expect(getRun(db, id, T0 + RUN_LEASE_MS).interrupted).toBe(false);
    expect(getRun(db, id, T0 + RUN_LEASE_MS + 1).interrupted).toBe(true);
    expect(listRuns(db, {}, T0 + RUN_LEASE_MS + 1)[0].interrupted).toBe(true);
    // Renewed: alive again for a whole lease from the renewal.
    expect(renewLease(db, id, 'me', T0 + RUN_LEASE_MS + 5)).toBe(true);
    expect(getRun(db, id, T0 + 2 * RUN_LEASE_MS).interrupted).toBe(false);
  });

  it('a reused pid or a new hostname changes nothing: only the heartbeat counts', () => {
    const id = newRun();
    // This very process's pid (alive) on this host: the old kill(pid, 0) check called that alive forever.
    db.prepare('UPDATE runs SET pid = ?, host = ? WHERE id = ?').run(process.pid, (process.env.HOSTNAME ?? 'here'), id);
    expect(getRun(db, id, T0 + RUN_LEASE_MS + 1).interrupted).toBe(true);
    // Another host's run (a container restarted under a new name) with a stale heartbeat: interrupted too.
    db.prepare("UPDATE runs SET pid = 1, host = 'some-old-container' WHERE id = ?").run(id);
    expect(getRun(db, id, T0 + RUN_LEASE_MS + 1).interrupted).toBe(true);
    expect(getRun(db, id, T0 + 1).interrupted).toBe(false);
  });

  it('resume may claim an expired run, not a live one, unless forced; one claim wins', () => {
    const id = newRun();
    const seen = getRun(db, id, T0 + 10);
    expect(claimRun(db, seen, 'cpu', { owner: 'b', now: T0 + 10 })).toBe('RUN_BUSY');
    expect(claimRun(db, seen, 'cpu', { owner: 'b', now: T0 + RUN_LEASE_MS + 1 })).toBeNull();
    // A second resumer that looked at the same moment finds the fresh lease of the first.
    expect(claimRun(db, seen, 'cpu', { owner: 'c', now: T0 + RUN_LEASE_MS + 2 })).toBe('RUN_BUSY');
    expect(claimRun(db, seen, 'cpu', { owner: 'c', now: T0 + RUN_LEASE_MS + 3, force: true })).toBeNull();
    // The owners taken over notice at their next renewal and cannot end the run.
    expect(renewLease(db, id, 'me', T0 + RUN_LEASE_MS + 4)).toBe(false);
    expect(renewLease(db, id, 'b', T0 + RUN_LEASE_MS + 4)).toBe(false);
    expect(finishRun(db, id, 'failed', 'b gave up', 'b')).toBe(false);
    expect(getRun(db, id, T0 + RUN_LEASE_MS + 5)).toMatchObject({ status: 'running', interrupted: false });
    expect(finishRun(db, id, 'done', undefined, 'c')).toBe(true);
    expect(claimRun(db, getRun(db, id), 'cpu', { owner: 'd', force: true })).toBe('RUN_DONE');
  });

  it('a run from before the lease (no heartbeat) that still says running is interrupted', () => {
    const id = newRun();
    db.prepare('UPDATE runs SET heartbeat_at = NULL, lease_owner = NULL WHERE id = ?').run(id);
    expect(getRun(db, id, T0).interrupted).toBe(true);
  });

  it('the keeper renews on its clock and throws once the run was taken over', () => {
    let now = T0;
    const id = newRun('k', now);
    const keeper = new RunLeaseKeeper(db, id, 'k', () => now);
    now += RUN_LEASE_MS - 1;
    keeper.renew(true);
    now += RUN_LEASE_MS - 1;
    expect(getRun(db, id, now).interrupted).toBe(false);
    expect(claimRun(db, getRun(db, id, now), 'cpu', { owner: 'thief', now, force: true })).toBeNull();
    now += 2000;
    expect(() => keeper.renew()).toThrow(RunTakenOverError);
    expect(keeper.isLost).toBe(true);
  });
});
