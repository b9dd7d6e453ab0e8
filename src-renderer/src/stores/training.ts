import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import type { BridgeError } from '../../../src-shared/contract.ts';
import type { EpochRow, RunSummary, TrainProgress, TrainRequest } from '../../../src-shared/training-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { useRunsStore } from './runs.ts';
import { storeApi, storeFrames } from './store-deps.ts';

type TrainingEvent =
  | { kind: 'run'; jobId: string; runId: number }
  | { kind: 'progress'; jobId: string; progress: TrainProgress }
  | { kind: 'log'; jobId: string; line: string }
  | { kind: 'epoch'; jobId: string; runId: number; row: EpochRow }
  | { kind: 'done'; jobId: string; run: RunSummary }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/** What the training panel shows. */
export type TrainingStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

/** Log lines kept for the panel; the run itself keeps everything that matters. */
const MAX_LOG_LINES = 200;

/** The training area: one job at a time, its live progress and epochs, and its outcome. */
export const useTrainingStore = defineStore('training', () => {
  const api = storeApi();
  const status = ref<TrainingStatus>('idle');
  const runId = ref<number | null>(null);
  const progress = ref<TrainProgress | null>(null);
  // Replaced (not mutated) once per frame, so the chart sees one new array per frame.
  const epochs = shallowRef<EpochRow[]>([]);
  const logs = shallowRef<string[]>([]);
  const result = shallowRef<RunSummary | null>(null);
  const error = ref<StoreError | null>(null);
  const active = computed(() => status.value === 'starting' || status.value === 'running' || status.value === 'cancelling');

  const tracker = new JobTracker<TrainingEvent>();
  const batcher = createFrameBatcher<TrainingEvent>(applyBatch, storeFrames());
  /** Set while a terminal event flushes the queue: it refreshes the run list itself, once. */
  let ending = false;

  /** One frame's worth of streamed events: one assignment per field, whatever their number. */
  function applyBatch(events: TrainingEvent[]): void {
    let latest: TrainProgress | null = null;
    const rows: EpochRow[] = [];
    const lines: string[] = [];
    for (const e of events) {
      if (e.kind === 'progress') latest = e.progress;
      else if (e.kind === 'epoch') rows.push(e.row);
      else if (e.kind === 'log') lines.push(e.line);
      else if (e.kind === 'run') runId.value = e.runId;
    }
    if (latest) progress.value = latest;
    if (rows.length) epochs.value = mergeEpochs(epochs.value, rows);
    if (lines.length) logs.value = [...logs.value, ...lines].slice(-MAX_LOG_LINES);
    // The run history shows the new run, and its epoch count, as they land in the catalog.
    if (!ending && (rows.length || events.some((e) => e.kind === 'run'))) void useRunsStore().refresh();
  }

  function apply(event: TrainingEvent): void {
    if (event.kind !== 'done' && event.kind !== 'failed') {
      if (status.value === 'starting') status.value = 'running';
      return batcher.push(event);
    }
    // Terminal: what is queued lands first, then the outcome, without waiting for a frame.
    ending = true;
    batcher.flushNow();
    ending = false;
    tracker.reset();
    if (event.kind === 'done') {
      result.value = event.run;
      runId.value = event.run.id;
      epochs.value = mergeEpochs(event.run.epochs, []);
      // A cancelled run still ends with `training:done`: the trainer stops between batches and returns the run,
      // status `cancelled`, with the epochs it finished.
      status.value = event.run.status === 'cancelled' ? 'cancelled' : event.run.status === 'failed' ? 'failed' : 'done';
    } else if (event.error.code === 'CANCELLED') {
      status.value = 'cancelled';
    } else {
      status.value = 'failed';
      error.value = event.error;
    }
    void useRunsStore().refresh();
  }

  const onEvent = (event: TrainingEvent) => {
    if (tracker.admit(event)) apply(event);
  };
  const unsubscribe = [
    api.events.on('training:run', (p) => onEvent({ kind: 'run', ...p })),
    api.events.on('training:progress', (p) => onEvent({ kind: 'progress', ...p })),
    api.events.on('training:log', (p) => onEvent({ kind: 'log', ...p })),
    api.events.on('training:epoch', (p) => onEvent({ kind: 'epoch', ...p })),
    api.events.on('training:done', (p) => onEvent({ kind: 'done', ...p })),
    api.events.on('training:failed', (p) => onEvent({ kind: 'failed', ...p })),
  ];
  onScopeDispose(() => unsubscribe.forEach((off) => off()));

  /**
   * A reloaded or second page finds the training that is running (or the first queued one) and shows it again:
   * its id from `jobs:list`, so its next events are let through, with the epochs finished so far.
   */
  async function reattach(): Promise<void> {
    let job;
    try {
      job = (await api.jobs.list()).find((j) => j.kind === 'training');
    } catch {
      return; // an older server, or none yet: nothing to show
    }
    if (!job || job.kind !== 'training' || status.value !== 'idle' || tracker.pending || tracker.jobId !== null) return;
    tracker.accept(job.jobId);
    status.value = 'running';
    runId.value = job.about.runId ?? null;
    progress.value = job.progress;
    const id = job.about.runId;
    if (id === undefined) return;
    try {
      const run = await api.runs.get({ runId: id });
      if (runId.value === id) epochs.value = mergeEpochs(run.epochs, epochs.value);
    } catch {
      // The live epochs still arrive.
    }
  }
  void reattach();

  function reset(): void {
    batcher.clear();
    tracker.begin();
    status.value = 'starting';
    runId.value = null;
    progress.value = null;
    epochs.value = [];
    logs.value = [];
    result.value = null;
    error.value = null;
  }

  async function launch(request: () => Promise<{ jobId: string }>): Promise<boolean> {
    reset();
    try {
      const { jobId } = await request();
      for (const held of tracker.accept(jobId)) apply(held);
      if (status.value === 'starting') status.value = 'running';
      void useRunsStore().refresh();
      return true;
    } catch (e) {
      tracker.reset();
      status.value = 'failed';
      error.value = toStoreError(e);
      return false;
    }
  }

  /** Starts a new run on a dataset; what the request leaves out, the trainer decides. */
  async function start(datasetId: number, request: TrainRequest): Promise<void> {
    await launch(() => api.training.start({ datasetId, request }));
  }

  /** Continues a cancelled, failed or interrupted run from its last checkpoint, its finished epochs shown at once. */
  async function resume(id: number): Promise<void> {
    if (!(await launch(() => api.training.resume({ runId: id })))) return;
    runId.value ??= id;
    try {
      const run = await api.runs.get({ runId: id });
      if (runId.value === id) epochs.value = mergeEpochs(run.epochs, epochs.value);
    } catch {
      // The live epochs still arrive; the earlier ones are in the run history.
    }
  }

  async function cancel(): Promise<void> {
    const jobId = tracker.jobId;
    if (!jobId) return;
    status.value = 'cancelling';
    try {
      await api.training.cancel({ jobId });
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  /** Stops showing the current job (its later events are ignored) and clears the panel. */
  function dismiss(): void {
    tracker.reset();
    batcher.clear();
    status.value = 'idle';
    progress.value = null;
    epochs.value = [];
    logs.value = [];
    runId.value = null;
    result.value = null;
    error.value = null;
  }

  return { status, active, runId, progress, epochs, logs, result, error, start, resume, cancel, dismiss };
});

/** Epoch rows by epoch number, later rows replacing earlier ones of the same epoch, in order. */
function mergeEpochs(base: readonly EpochRow[], more: readonly EpochRow[]): EpochRow[] {
  const byEpoch = new Map<number, EpochRow>();
  for (const row of [...base, ...more]) byEpoch.set(row.epoch, row);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
