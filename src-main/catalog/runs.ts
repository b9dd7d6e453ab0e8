import os from 'node:os';
import type { Db } from './open-catalog.ts';
import { deleteEmbeddings, runEmbedderKey } from './embeddings.ts';
import type { EpochRow, RunStatus, RunSummary, TrainConfig } from '../../src-shared/training-types.ts';
import type { RunMetrics } from '../../src-shared/query-types.ts';

/** A run that does not exist. */
export class RunNotFoundError extends Error {
  readonly code = 'RUN_NOT_FOUND';
  constructor(id: number | string) {
    super(`no run ${id} in the catalog (see \`lookalike runs\`)`);
  }
}

/** Creates a run in status `running`, owned by this process. */
export function createRun(db: Db, datasetId: number, config: TrainConfig, backend: string, weightsSource: string): number {
  const now = new Date().toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO runs (dataset_id, status, config, backend, weights_source, pid, host, created_at, updated_at)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(datasetId, JSON.stringify(config), backend, weightsSource, process.pid, os.hostname(), now, now).lastInsertRowid,
  );
}

/**
 * Takes a run over for this process (resume), possibly on another backend — only if its row is still as `seen`
 * (same status and owner): false when another process claimed it in between. Its catalog vectors are dropped,
 * since the model is about to change.
 */
export function claimRun(db: Db, seen: Pick<RunSummary, 'id' | 'status'> & { pid?: number | null }, backend: string): boolean {
  return db.transaction(() => {
    const row = db.prepare('SELECT status, pid FROM runs WHERE id = ?').get(seen.id) as { status: RunStatus; pid: number | null } | undefined;
    if (!row || row.status !== seen.status || (seen.pid !== undefined && row.pid !== seen.pid)) return false;
    db.prepare(
      `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, pid = ?, host = ?, backend = ?, updated_at = ? WHERE id = ?`,
    ).run(process.pid, os.hostname(), backend, new Date().toISOString(), seen.id);
    deleteEmbeddings(db, runEmbedderKey(seen.id));
    return true;
  }).immediate();
}

/** Ends a run; `error` for failed runs. */
export function finishRun(db: Db, runId: number, status: Exclude<RunStatus, 'running'>, error?: string): void {
  const now = new Date().toISOString();
  db.prepare(`UPDATE runs SET status = ?, error = ?, pid = NULL, updated_at = ?, finished_at = ? WHERE id = ?`).run(
    status,
    error ?? null,
    now,
    now,
    runId,
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
  created_at: string;
  finished_at: string | null;
  metrics: string | null;
}

const RUN_SELECT = `SELECT r.*, d.name AS dataset_name FROM runs r JOIN datasets d ON d.id = r.dataset_id`;

/** Every run, newest first, with its epochs. */
export function listRuns(db: Db, filter: { datasetId?: number } = {}): RunSummary[] {
  const rows = db
    .prepare(`${RUN_SELECT} WHERE (? IS NULL OR r.dataset_id = ?) ORDER BY r.id DESC`)
    .all(filter.datasetId ?? null, filter.datasetId ?? null) as RunRow[];
  return rows.map((r) => toSummary(db, r));
}

/** The newest run that finished training, if any. */
export function newestDoneRunId(db: Db): number | undefined {
  return (db.prepare(`SELECT id FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1`).get() as { id: number } | undefined)?.id;
}

/** One run by id. */
export function getRun(db: Db, runId: number): RunSummary {
  const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
  if (!row) throw new RunNotFoundError(runId);
  return toSummary(db, row);
}

function toSummary(db: Db, r: RunRow): RunSummary {
  const epochs = (
    db.prepare(`SELECT epoch, loss, val_loss AS valLoss, seconds, metrics FROM run_epochs WHERE run_id = ? ORDER BY epoch`).all(r.id) as Array<
      Omit<EpochRow, 'val'> & { metrics: string | null }
    >
  ).map(({ metrics, ...e }) => ({ ...e, val: metrics ? (JSON.parse(metrics) as EpochRow['val']) : null }));
  return {
    id: r.id,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    status: r.status,
    interrupted: r.status === 'running' && !ownerAlive(r.pid, r.host),
    config: JSON.parse(r.config) as TrainConfig,
    backend: r.backend,
    weightsSource: r.weights_source,
    epochsDone: r.epochs_done,
    modelEpoch: (db.prepare(`SELECT epoch FROM run_checkpoints WHERE run_id = ?`).pluck().get(r.id) as number | undefined) ?? null,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    epochs,
    metrics: r.metrics ? (JSON.parse(r.metrics) as RunMetrics) : null,
  };
}

/** A run's process is alive if it runs on this host and answers signal 0. */
function ownerAlive(pid: number | null, host: string | null): boolean {
  if (!pid) return false;
  if (host && host !== os.hostname()) return true; // another machine's run: we cannot tell, assume it lives
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stores what a finished run measured. */
export function setRunMetrics(db: Db, runId: number, metrics: RunMetrics): void {
  db.prepare(`UPDATE runs SET metrics = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(metrics), new Date().toISOString(), runId);
}
