import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import type { BridgeError, Events } from '../../../src-shared/contract.ts';
import type { EpochRow, RunSummary, TrainProgress, TrainRequest } from '../../../src-shared/training-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { ExtractionClock, type FeatureExtraction } from '../lib/extraction-clock.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { runName } from '../lib/format.ts';
import { explainError } from '../lib/error-words.ts';
import { useAppStore } from './app.ts';
import { useJobsStore } from './jobs.ts';
import { useRunsStore } from './runs.ts';
import { storeApi, storeFrames, storeNow } from './store-deps.ts';

type TrainingEvent =
  | { kind: 'run'; jobId: string; runId: number }
  | { kind: 'progress'; jobId: string; progress: TrainProgress }
  | { kind: 'log'; jobId: string; line: string }
  | { kind: 'epoch'; jobId: string; runId: number; row: EpochRow }
  | { kind: 'done'; jobId: string; run: RunSummary }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/** What the training panel shows; `queued`: waiting for another training to end (trainings run one at a time). */
export type TrainingStatus = 'idle' | 'starting' | 'queued' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export type { FeatureExtraction };

/** Log lines kept for the panel; the run itself keeps everything that matters. */
const MAX_LOG_LINES = 200;

/**
 * The training area: the job the panel shows (the one running, else the first queued one), its live progress and
 * epochs, and its outcome. While one trains, starting another queues it (the jobs store lists the queue); when
 * the shown job ends and the next begins, the panel follows it, and a notice says the run ended when the user
 * is on another view.
 */
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
  const active = computed(() => status.value === 'starting' || status.value === 'queued' || status.value === 'running' || status.value === 'cancelling');
  /** A start or resume sent while another training was shown: queued behind it, or refused (`queueError`). */
  const queueError = ref<StoreError | null>(null);

  // The feature extraction's ETA, from the rate of its own progress events (assigned once per frame, like progress).
  const clock = new ExtractionClock(storeNow);
  const extraction = shallowRef<FeatureExtraction | null>(null);
  function timeFeatures(p: TrainProgress | null): void {
    clock.observe(p);
    extraction.value = clock.state;
  }

  const tracker = new JobTracker<TrainingEvent>();
  /** The tracker's job, for the views (the tracker itself is not reactive). */
  const jobId = ref<string | null>(null);
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
    if (latest) {
      progress.value = latest;
      timeFeatures(latest);
    }
    if (rows.length) epochs.value = mergeEpochs(epochs.value, rows);
    if (lines.length) logs.value = [...logs.value, ...lines].slice(-MAX_LOG_LINES);
    // The run history shows the new run, and its epoch count, as they land in the catalog.
    if (!ending && (rows.length || events.some((e) => e.kind === 'run'))) void useRunsStore().refresh();
  }

  function apply(event: TrainingEvent): void {
    if (event.kind !== 'done' && event.kind !== 'failed') {
      // A queued job's first event says it began.
      if (status.value === 'starting' || status.value === 'queued') status.value = 'running';
      return batcher.push(event);
    }
    // Terminal: what is queued lands first, then the outcome, without waiting for a frame.
    ending = true;
    batcher.flushNow();
    ending = false;
    tracker.reset();
    jobId.value = null;
    timeFeatures(null);
    if (event.kind === 'done') {
      result.value = event.run;
      runId.value = event.run.id;
      epochs.value = mergeEpochs(event.run.epochs, []);
      // A cancelled run still ends with `training:done`: the trainer stops between batches and returns the run,
      // status `cancelled`, with the epochs it finished.
      status.value = event.run.status === 'cancelled' ? 'cancelled' : event.run.status === 'failed' ? 'failed' : 'done';
      noticeOutOfSight(event.run);
    } else if (event.error.code === 'CANCELLED') {
      status.value = 'cancelled';
    } else {
      status.value = 'failed';
      error.value = event.error;
      noticeOutOfSight(null, explainError(event.error).text);
    }
    void useRunsStore().refresh();
  }

  /** A run that ends while the user looks at another view gets a notice with a way to its page. */
  function noticeOutOfSight(run: RunSummary | null, failure?: string): void {
    const app = useAppStore();
    if (app.view === 'train') return;
    // The user's words, as ErrorNote says them; the details stay on the training view.
    if (!run) return app.notify({ kind: 'failed', text: `Training failed: ${failure ?? 'unknown error'}`, open: { view: 'train', label: 'See why' } });
    const r1 = run.metrics?.test?.recall['1'];
    const epochs = `${run.epochsDone} epoch${run.epochsDone === 1 ? '' : 's'}`;
    const how = run.status === 'done' ? `finished after ${epochs}${r1 == null ? '' : ` — test Recall@1 ${r1.toFixed(2)}`}` : `${run.status} after ${epochs}`;
    app.notify({
      kind: run.status === 'done' ? 'done' : run.status === 'cancelled' ? 'cancelled' : 'failed',
      text: `Training ${runName(run)} on ${run.datasetName} ${how}.`,
      open: { view: 'run', runId: run.id, label: 'Open the run' },
    });
  }

  const onEvent = (event: TrainingEvent) => {
    if (tracker.admit(event)) apply(event);
  };

  /**
   * A training's state changed. The shown job leaves the queue, or ended without this page hearing how (it ended
   * between `jobs:list` and the reattach): the run list says. Another training beginning while the panel shows
   * none (the next of the queue, or one another window started) is shown from its first event on.
   */
  function onState({ jobId: changed, kind, state }: Events['jobs:state']): void {
    if (kind !== 'training' || tracker.pending) return;
    if (changed === tracker.jobId) {
      if (state === 'running' && status.value === 'queued') status.value = 'running';
      else if ((state === 'done' || state === 'failed' || state === 'cancelled') && active.value) void settleUnheard(state);
      return;
    }
    if (state === 'running' && !active.value) follow(changed, null, 'running');
  }

  async function settleUnheard(state: 'done' | 'failed' | 'cancelled'): Promise<void> {
    const id = runId.value;
    tracker.reset();
    jobId.value = null;
    batcher.clear();
    timeFeatures(null);
    status.value = state === 'done' ? 'done' : state;
    if (id !== null) {
      try {
        result.value = await api.runs.get({ runId: id });
      } catch {
        // Removed meanwhile: the state says enough.
      }
    }
    void useRunsStore().refresh();
  }
  const unsubscribe = [
    api.events.on('training:run', (p) => onEvent({ kind: 'run', ...p })),
    api.events.on('training:progress', (p) => onEvent({ kind: 'progress', ...p })),
    api.events.on('training:log', (p) => onEvent({ kind: 'log', ...p })),
    api.events.on('training:epoch', (p) => onEvent({ kind: 'epoch', ...p })),
    api.events.on('training:done', (p) => onEvent({ kind: 'done', ...p })),
    api.events.on('training:failed', (p) => onEvent({ kind: 'failed', ...p })),
    api.events.on('jobs:state', onState),
  ];
  onScopeDispose(() => unsubscribe.forEach((off) => off()));

  /** Shows a job from now on: its later events are let through; `progress` is the last it reported, if known. */
  function follow(id: string, last: TrainProgress | null, state: 'queued' | 'running', knownRun?: number): void {
    batcher.clear();
    tracker.accept(id);
    jobId.value = id;
    status.value = state;
    runId.value = knownRun ?? null;
    progress.value = last;
    timeFeatures(last);
    epochs.value = [];
    logs.value = [];
    result.value = null;
    error.value = null;
  }

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
    follow(job.jobId, job.progress, job.state, job.about.runId);
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
    jobId.value = null;
    timeFeatures(null);
    status.value = 'starting';
    runId.value = null;
    progress.value = null;
    epochs.value = [];
    logs.value = [];
    result.value = null;
    error.value = null;
  }

  async function launch(request: () => Promise<{ jobId: string; state: 'queued' | 'running' }>): Promise<boolean> {
    // One training is shown already: this one queues behind it and the panel stays on the one shown.
    if (active.value) {
      queueError.value = null;
      try {
        await request();
        void useJobsStore().refresh();
      } catch (e) {
        queueError.value = toStoreError(e);
      }
      return false;
    }
    reset();
    try {
      const started = await request();
      jobId.value = started.jobId;
      for (const held of tracker.accept(started.jobId)) apply(held);
      // Another window's (or the CLI-less server's) training may be running: this one then waits.
      if (status.value === 'starting') status.value = started.state === 'queued' ? 'queued' : 'running';
      void useRunsStore().refresh();
      return true;
    } catch (e) {
      tracker.reset();
      jobId.value = null;
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
    if (status.value === 'queued') runId.value = id;
    runId.value ??= id;
    try {
      const run = await api.runs.get({ runId: id });
      if (runId.value === id) epochs.value = mergeEpochs(run.epochs, epochs.value);
    } catch {
      // The live epochs still arrive; the earlier ones are in the run history.
    }
  }

  async function cancel(): Promise<void> {
    const id = tracker.jobId;
    if (!id) return;
    status.value = 'cancelling';
    try {
      await api.training.cancel({ jobId: id });
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  /** Stops showing the current job (its later events are ignored) and clears the panel. */
  function dismiss(): void {
    tracker.reset();
    jobId.value = null;
    batcher.clear();
    timeFeatures(null);
    status.value = 'idle';
    progress.value = null;
    epochs.value = [];
    logs.value = [];
    runId.value = null;
    result.value = null;
    error.value = null;
  }

  return { status, active, jobId, runId, progress, extraction, epochs, logs, result, error, queueError, start, resume, cancel, dismiss };
});

/** Epoch rows by epoch number, later rows replacing earlier ones of the same epoch, in order. */
function mergeEpochs(base: readonly EpochRow[], more: readonly EpochRow[]): EpochRow[] {
  const byEpoch = new Map<number, EpochRow>();
  for (const row of [...base, ...more]) byEpoch.set(row.epoch, row);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
