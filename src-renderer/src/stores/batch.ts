import { defineStore } from 'pinia';
import { onScopeDispose, ref, shallowRef } from 'vue';
import type { BridgeError } from '../../../src-shared/contract.ts';
import type { BatchExportFormat, BatchInput, BatchProgress, BatchResult } from '../../../src-shared/batch-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi, storeFrames } from './store-deps.ts';

type BatchEvent =
  | ({ kind: 'progress'; jobId: string } & BatchProgress)
  | { kind: 'done'; jobId: string; result: BatchResult }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/** A file the page read for the batch: the name to show (with its folder when a folder was chosen) and its bytes. */
export interface ChosenFile {
  name: string;
  bytesBase64: string;
  size: number;
}

/** Uploads above this would not fit one message to the local server (64 MiB, base64 adds a third). */
const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;

/**
 * The batch query area: the files or folder chosen, the job (per-file progress, cancel), its triage result and the
 * exports. A reloaded page reattaches to a batch that is still running.
 */
export const useBatchStore = defineStore('batch', () => {
  const api = storeApi();
  const files = shallowRef<ChosenFile[]>([]);
  const folder = ref<string | null>(null);
  const top = ref(5);
  /** null: the newest finished run. */
  const runId = ref<number | null>(null);
  const running = ref(false);
  const progress = ref<BatchProgress | null>(null);
  const result = shallowRef<BatchResult | null>(null);
  const jobId = ref<string | null>(null);
  const error = ref<StoreError | null>(null);
  const exportError = ref<StoreError | null>(null);

  const tracker = new JobTracker<BatchEvent>();
  const progressBatcher = createFrameBatcher<BatchProgress>((items) => (progress.value = items[items.length - 1]), storeFrames());

  function apply(e: BatchEvent): void {
    if (e.kind === 'progress') return progressBatcher.push({ done: e.done, total: e.total, current: e.current });
    progressBatcher.flushNow();
    running.value = false;
    if (e.kind === 'done') {
      result.value = e.result;
      jobId.value = e.jobId;
    } else error.value = e.error;
    tracker.reset();
  }
  const onEvent = (e: BatchEvent) => {
    if (tracker.admit(e)) apply(e);
  };
  const off = [
    api.events.on('query:batchProgress', ({ jobId: id, ...p }) => onEvent({ kind: 'progress', jobId: id, ...p })),
    api.events.on('query:batchDone', ({ jobId: id, result: r }) => onEvent({ kind: 'done', jobId: id, result: r })),
    api.events.on('query:batchFailed', ({ jobId: id, error: err }) => onEvent({ kind: 'failed', jobId: id, error: err })),
    // The batch followed ended without this page hearing how (between `jobs:list` and the reattach): a finished
    // one's result is kept by the server for a while, so it is asked for.
    api.events.on('jobs:state', ({ jobId: id, kind, state }) => {
      if (kind !== 'query-batch' || id !== tracker.jobId || state === 'queued' || state === 'running') return;
      progressBatcher.clear();
      tracker.reset();
      running.value = false;
      if (state === 'done') {
        api.query.batchResult({ jobId: id }).then(
          (r) => {
            result.value = r;
            jobId.value = id;
          },
          (e) => (error.value = toStoreError(e)),
        );
      } else if (state === 'cancelled') error.value = { code: 'CANCELLED', message: 'batch cancelled' };
    }),
  ];
  onScopeDispose(() => off.forEach((f) => f()));

  function chooseFiles(list: ChosenFile[]): void {
    files.value = list;
    folder.value = null;
    error.value = null;
  }

  /** The native folder dialog (desktop app); false in the browser, where a folder is chosen as files. */
  async function pickFolder(): Promise<boolean> {
    try {
      const picked = await api.dialog.pickFolder();
      if (!picked) return false;
      folder.value = picked;
      files.value = [];
      error.value = null;
      return true;
    } catch (e) {
      error.value = toStoreError(e);
      return false;
    }
  }

  async function start(): Promise<void> {
    if (running.value) return;
    error.value = null;
    exportError.value = null;
    const chosen = files.value;
    if (!chosen.length && !folder.value) {
      error.value = { code: 'NO_INPUT', message: 'Choose some images or a folder first.' };
      return;
    }
    const size = chosen.reduce((n, f) => n + f.size, 0);
    if (size > MAX_UPLOAD_BYTES) {
      error.value = { code: 'TOO_MUCH_UPLOAD', message: `These files are ${Math.round(size / 1048576)} MB together; send at most 40 MB at once, or query their folder from the desktop app or the CLI.` };
      return;
    }
    running.value = true;
    result.value = null;
    jobId.value = null;
    progress.value = null;
    progressBatcher.clear();
    try {
      const inputs: BatchInput[] = folder.value ? [{ path: folder.value }] : [];
      for (const f of chosen) inputs.push({ name: f.name, bytesBase64: f.bytesBase64 });
      tracker.begin();
      const started = await api.query.batch({ inputs, top: top.value, runId: runId.value ?? undefined });
      for (const held of tracker.accept(started.jobId)) apply(held);
    } catch (e) {
      tracker.reset();
      running.value = false;
      error.value = toStoreError(e);
    }
  }

  async function cancel(): Promise<void> {
    const id = tracker.jobId;
    if (!id) return;
    try {
      await api.jobs.cancel({ jobId: id });
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  /** Finds a batch still running (after a reload) and follows it again. */
  async function reattach(): Promise<void> {
    if (running.value) return;
    try {
      const job = (await api.jobs.list()).find((j) => j.kind === 'query-batch');
      if (!job || running.value) return;
      tracker.accept(job.jobId);
      running.value = true;
      progress.value = job.kind === 'query-batch' ? job.progress : null;
    } catch {
      // Nothing to reattach to is the usual case; a failing list is shown by the other areas.
    }
  }

  /** The finished batch as a file (CSV or HTML) for the page to save, or null (and `exportError`). */
  async function exportAs(format: BatchExportFormat): Promise<{ fileName: string; mimeType: string; text: string } | null> {
    if (!jobId.value) return null;
    exportError.value = null;
    try {
      return await api.query.batchExport({ jobId: jobId.value, format });
    } catch (e) {
      exportError.value = toStoreError(e);
      return null;
    }
  }

  return { files, folder, top, runId, running, progress, result, jobId, error, exportError, chooseFiles, pickFolder, start, cancel, reattach, exportAs };
});
