import { defineStore } from 'pinia';
import { onScopeDispose, ref, shallowRef } from 'vue';
import type { BridgeError } from '../../../src-shared/contract.ts';
import type { RunTask, RunTaskProgress, RunTaskResult } from '../../../src-shared/run-task-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi, storeFrames } from './store-deps.ts';

type TaskEvent =
  | ({ kind: 'progress'; jobId: string } & RunTaskProgress)
  | { kind: 'done'; jobId: string; result: RunTaskResult }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/**
 * The run page: which run it shows, and its one job at a time (held-out evaluation, report or export) with
 * progress, cancel and what it made. The last result of each kind stays shown.
 */
export const useRunPageStore = defineStore('run-page', () => {
  const api = storeApi();
  const runId = ref<number | null>(null);
  const running = ref<RunTask['kind'] | null>(null);
  const progress = ref<RunTaskProgress | null>(null);
  const evaluation = shallowRef<Extract<RunTaskResult, { kind: 'evaluate' }> | null>(null);
  const report = shallowRef<Extract<RunTaskResult, { kind: 'report' }> | null>(null);
  const exported = shallowRef<Extract<RunTaskResult, { kind: 'export' }> | null>(null);
  const error = ref<StoreError | null>(null);
  const tracker = new JobTracker<TaskEvent>();
  const batcher = createFrameBatcher<RunTaskProgress>((items) => (progress.value = items[items.length - 1]), storeFrames());

  function apply(e: TaskEvent): void {
    if (e.kind === 'progress') return batcher.push({ step: e.step, done: e.done, total: e.total });
    batcher.flushNow();
    running.value = null;
    tracker.reset();
    if (e.kind === 'failed') {
      error.value = e.error;
      return;
    }
    if (e.result.kind === 'evaluate') evaluation.value = e.result;
    else if (e.result.kind === 'report') report.value = e.result;
    else exported.value = e.result;
  }
  const onEvent = (e: TaskEvent) => {
    if (tracker.admit(e)) apply(e);
  };
  const off = [
    api.events.on('runs:taskProgress', ({ jobId, ...p }) => onEvent({ kind: 'progress', jobId, ...p })),
    api.events.on('runs:taskDone', ({ jobId, result }) => onEvent({ kind: 'done', jobId, result })),
    api.events.on('runs:taskFailed', ({ jobId, error: err }) => onEvent({ kind: 'failed', jobId, error: err })),
    // The job followed after a reload ended between `jobs:list` and the reattach: stop showing it as running.
    api.events.on('jobs:state', ({ jobId, kind, state }) => {
      if (kind !== 'run-task' || jobId !== tracker.jobId || state === 'queued' || state === 'running') return;
      batcher.clear();
      tracker.reset();
      running.value = null;
    }),
  ];
  onScopeDispose(() => off.forEach((f) => f()));

  /** Shows another run: the results of the previous one's jobs go (a running job keeps running, unshown). */
  function open(id: number): void {
    if (runId.value === id) return;
    runId.value = id;
    evaluation.value = report.value = exported.value = null;
    error.value = null;
    if (running.value) {
      tracker.reset();
      running.value = null;
    }
    void reattach(id);
  }

  /**
   * A reloaded or second page finds this run's evaluation, report or export still running and shows it again
   * (its step, progress and Cancel): its id from `jobs:list`, so its next events and its outcome are let through.
   */
  async function reattach(id: number): Promise<void> {
    let job;
    try {
      job = (await api.jobs.list()).find((j) => j.kind === 'run-task' && j.about.runId === id);
    } catch {
      return; // nothing to show; the page itself reports a server that does not answer
    }
    if (!job || job.kind !== 'run-task' || runId.value !== id || running.value || tracker.pending) return;
    tracker.accept(job.jobId);
    running.value = job.about.task ?? 'evaluate';
    progress.value = job.progress;
  }

  async function start(task: RunTask): Promise<void> {
    if (running.value) return;
    error.value = null;
    progress.value = null;
    batcher.clear();
    running.value = task.kind;
    tracker.begin();
    try {
      const { jobId } = await api.runs.task(task);
      for (const held of tracker.accept(jobId)) apply(held);
    } catch (e) {
      tracker.reset();
      running.value = null;
      error.value = toStoreError(e);
    }
  }

  async function cancel(): Promise<void> {
    const id = tracker.jobId;
    if (id) await api.jobs.cancel({ jobId: id }).catch((e) => (error.value = toStoreError(e)));
  }

  /** The native folder dialog where there is one; null in the browser. */
  async function pickFolder(): Promise<string | null> {
    return api.dialog.pickFolder().catch(() => null);
  }

  return { runId, running, progress, evaluation, report, exported, error, open, start, cancel, pickFolder };
});
