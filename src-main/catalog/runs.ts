import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db } from './open-catalog.ts';
import { deleteEmbeddings, runEmbedderKey } from './embeddings.ts';
import { decodeRunMetrics } from './stored-run-metrics.ts';
import type { EpochRow, RunStatus, RunSummary, TrainConfig } from '../../src-shared/training-types.ts';
import type { RunMetrics } from '../../src-shared/query-types.ts';

/** A run that does not exist. */
export class RunNotFoundError extends Error {
  readonly code = 'RUN_NOT_FOUND';
  constructor(id: number | string) {
    super(`no run ${id} in the catalog (see \`lookalike runs\`)`);
  }
}

/**
 * How long a running run's owner may go without renewing its lease before the run counts as interrupted. The
 * owner renews every batch, every epoch and on a timer (LEASE_RENEW_MS), so only a dead or frozen owner misses
 * it; a pid or hostname is never trusted (pids are reused, containers get new hostnames).
 */
export const RUN_LEASE_MS = 90_000;
/** How often an owner renews its lease on a timer, between batches. */
export const LEASE_RENEW_MS = 10_000;

/** Who holds a run and when: `owner` is unique per claim; `now` (ms) is injectable for tests. */
export interface LeaseClaim {
  owner: string;
  now?: number;
}

/** A fresh owner id for one claim of a run. */
export function newLeaseOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID()}`;
}

/** True when a heartbeat (ms since the epoch, or null) no longer holds the lease at `now`. */
export function leaseExpired(heartbeatAt: number | null, now: number = Date.now()): boolean {
  return heartbeatAt === null || now - heartbeatAt > RUN_LEASE_MS;
}

/** Creates a run in status `running`, leased to `lease.owner`. */
export function createRun(db: Db, datasetId: number, config: TrainConfig, backend: string, weightsSource: string, lease: LeaseClaim = { owner: newLeaseOwner() }): number {
  const nowMs = lease.now ?? Date.now();
  const now = new Date(nowMs).toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO runs (dataset_id, status, config, backend, weights_source, pid, host, created_at, updated_at, heartbeat_at, lease_owner)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(datasetId, JSON.stringify(config), backend, weightsSource, process.pid, os.hostname(), now, now, nowMs, lease.owner).lastInsertRowid,
  );
}

/** Why a claim was refused: someone else holds the run, or it changed since it was looked at. */
export type ClaimRefusal = 'RUN_BUSY' | 'RUN_CHANGED' | 'RUN_DONE';

/**
 * Takes a run over for `lease.owner` (resume), possibly on another backend, in one IMMEDIATE transaction: a
 * cancelled or failed run if its status is still `seen.status`; a running one only if its lease has expired, or
 * regardless with `force` (the user says its owner is gone). Its catalog vectors are dropped, since the model is
 * about to change. Returns null on success, else why not.
 */
export function claimRun(db: Db, seen: Pick<RunSummary, 'id' | 'status'>, backend: string, lease: LeaseClaim & { force?: boolean }): ClaimRefusal | null {
  const nowMs = lease.now ?? Date.now();
  return db.transaction((): ClaimRefusal | null => {
    const row = db.prepare('SELECT status, heartbeat_at FROM runs WHERE id = ?').get(seen.id) as { status: RunStatus; heartbeat_at: number | null } | undefined;
    if (!row) throw new RunNotFoundError(seen.id);
    if (row.status === 'done') return 'RUN_DONE';
    if (row.status === 'running' && !lease.force && !leaseExpired(row.heartbeat_at, nowMs)) return 'RUN_BUSY';
    if (row.status !== seen.status && !(lease.force && row.status === 'running')) return 'RUN_CHANGED';
    db.prepare(
      `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, pid = ?, host = ?, backend = ?, updated_at = ?,
              heartbeat_at = ?, lease_owner = ? WHERE id = ?`,
    ).run(process.pid, os.hostname(), backend, new Date(nowMs).toISOString(), nowMs, lease.owner, seen.id);
    deleteEmbeddings(db, runEmbedderKey(seen.id));
    return null;
  }).immediate();
}

/**
 * Renews the lease of a run this owner holds. False when the owner no longer holds it (taken over with
 * `resume --force`, or ended): the owner must stop writing to the run.
 */
export function renewLease(db: Db, runId: number, owner: string, now: number = Date.now()): boolean {
  return db.prepare(`UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ?`).run(now, runId, owner).changes === 1;
}

/**
 * Ends a run; `error` for failed runs. With `owner`, only if that owner still holds it: a run taken over by
 * another process is not ended by the one it was taken from.
 */
export function finishRun(db: Db, runId: number, status: Exclude<RunStatus, 'running'>, error?: string, owner?: string): boolean {
  const now = new Date().toISOString();
  return (
    db
      .prepare(
        `UPDATE runs SET status = ?, error = ?, pid = NULL, lease_owner = NULL, heartbeat_at = NULL, updated_at = ?, finished_at = ?
          WHERE id = ? AND (? IS NULL OR lease_owner = ?)`,
      )
      .run(status, error ?? null, now, now, runId, owner ?? null, owner ?? null).changes === 1
  );
}

/** What one checkpoint holds: the model (tfjs artifacts) and the optimizer's state, both encoded. */
export interface CheckpointData {
  modelTopology: unknown;
  weightSpecs: unknown;
  weightData: Buffer;
  optimizerSpecs: unknown;
  optimizerData: Buffer | null;
}

/**
 * Records a finished epoch and its checkpoint together: after a crash the catalog has either both or neither,
 * so `resume` always restarts from a checkpoint that matches the epochs listed.
 */
export function recordEpoch(db: Db, runId: number, row: EpochRow, checkpoint: CheckpointData): void {
  const now = new Date().toISOString();
  db.transaction(() => {
    db.prepare(`INSERT OR REPLACE INTO run_epochs (run_id, epoch, loss, val_loss, seconds, metrics) VALUES (?, ?, ?, ?, ?, ?)`).run(
      runId,
      row.epoch,
      row.loss,
      row.valLoss,
      row.seconds,
      row.val ? JSON.stringify(row.val) : null,
    );
    db.prepare(
      `INSERT OR REPLACE INTO run_checkpoints (run_id, epoch, model_topology, weight_specs, weight_data, optimizer_specs, optimizer_data, saved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      runId,
      row.epoch,
      JSON.stringify(checkpoint.modelTopology),
      JSON.stringify(checkpoint.weightSpecs),
      checkpoint.weightData,
      JSON.stringify(checkpoint.optimizerSpecs ?? null),
      checkpoint.optimizerData,
      now,
    );
    db.prepare(`UPDATE runs SET epochs_done = ?, updated_at = ? WHERE id = ?`).run(row.epoch, now, runId);
    // Vectors a query computed with the previous checkpoint no longer match the model.
    deleteEmbeddings(db, runEmbedderKey(runId));
  }).immediate();
}

/**
 * Makes an earlier epoch's checkpoint the run's model (early stopping keeps the best epoch, not the last); the
 * epochs listed stay as trained. Vectors computed with the replaced model are dropped.
 */
export function keepCheckpointOf(db: Db, runId: number, epoch: number, checkpoint: CheckpointData): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE run_checkpoints SET epoch = ?, model_topology = ?, weight_specs = ?, weight_data = ?, optimizer_specs = ?, optimizer_data = ?, saved_at = ?
       WHERE run_id = ?`,
    ).run(
      epoch,
      JSON.stringify(checkpoint.modelTopology),
      JSON.stringify(checkpoint.weightSpecs),
      checkpoint.weightData,
      JSON.stringify(checkpoint.optimizerSpecs ?? null),
      checkpoint.optimizerData,
      new Date().toISOString(),
      runId,
    );
    deleteEmbeddings(db, runEmbedderKey(runId));
  }).immediate();
}

/** The run's model checkpoint (the latest epoch's, or the best's after early stopping), or undefined before its first epoch. */
export function loadCheckpoint(db: Db, runId: number): (CheckpointData & { epoch: number }) | undefined {
  const row = db.prepare(`SELECT * FROM run_checkpoints WHERE run_id = ?`).get(runId) as
    | { epoch: number; model_topology: string; weight_specs: string; weight_data: Buffer; optimizer_specs: string | null; optimizer_data: Buffer | null }
    | undefined;
  if (!row) return undefined;
  return {
    epoch: row.epoch,
    modelTopology: JSON.parse(row.model_topology),
    weightSpecs: JSON.parse(row.weight_specs),
    weightData: row.weight_data,
    optimizerSpecs: row.optimizer_specs ? JSON.parse(row.optimizer_specs) : null,
    optimizerData: row.optimizer_data,
  };
}

interface RunRow {
  id: number;
  dataset_id: number;
  dataset_name: string;
  status: RunStatus;
  config: string;
  backend: string;
  weights_source: string;
  epochs_done: number;
  error: string | null;
  pid: number | null;
  host: string | null;
  heartbeat_at: number | null;
  created_at: string;
  finished_at: string | null;
  metrics: string | null;
  /** Absent in a row read before migration 5 ran (never, once the catalog is open); NULL until renamed. */
  name?: string | null;
}

const RUN_SELECT = `SELECT r.*, d.name AS dataset_name FROM runs r JOIN datasets d ON d.id = r.dataset_id`;

/** Every run, newest first, with its epochs; `now` (ms) is the clock the leases are judged by. */
export function listRuns(db: Db, filter: { datasetId?: number } = {}, now: number = Date.now()): RunSummary[] {
  const rows = db
    .prepare(`${RUN_SELECT} WHERE (? IS NULL OR r.dataset_id = ?) ORDER BY r.id DESC`)
    .all(filter.datasetId ?? null, filter.datasetId ?? null) as RunRow[];
  return rows.map((r) => toSummary(db, r, now));
}

/** The newest run that finished training, if any. */
export function newestDoneRunId(db: Db): number | undefined {
  return (db.prepare(`SELECT id FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1`).get() as { id: number } | undefined)?.id;
}

/** One run by id; `now` (ms) is the clock its lease is judged by. */
export function getRun(db: Db, runId: number, now: number = Date.now()): RunSummary {
  const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
  if (!row) throw new RunNotFoundError(runId);
  return toSummary(db, row, now);
}

function toSummary(db: Db, r: RunRow, now: number): RunSummary {
  const epochs = (
    db.prepare(`SELECT epoch, loss, val_loss AS valLoss, seconds, metrics FROM run_epochs WHERE run_id = ? ORDER BY epoch`).all(r.id) as Array<
      Omit<EpochRow, 'val'> & { metrics: string | null }
    >
  ).map(({ metrics, ...e }) => ({ ...e, val: metrics ? (JSON.parse(metrics) as EpochRow['val']) : null }));
  return {
    id: r.id,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    name: r.name ?? null,
    status: r.status,
    interrupted: r.status === 'running' && leaseExpired(r.heartbeat_at, now),
    config: JSON.parse(r.config) as TrainConfig,
    backend: r.backend,
    weightsSource: r.weights_source,
    epochsDone: r.epochs_done,
    modelEpoch: (db.prepare(`SELECT epoch FROM run_checkpoints WHERE run_id = ?`).pluck().get(r.id) as number | undefined) ?? null,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    epochs,
    metrics: r.metrics ? decodeRunMetrics(r.metrics) : null,
  };
}

/** Stores what a finished run measured. */
export function setRunMetrics(db: Db, runId: number, metrics: RunMetrics): void {
  db.prepare(`UPDATE runs SET metrics = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(metrics), new Date().toISOString(), runId);
}
