import { defineStore } from 'pinia';
import { onScopeDispose, ref, shallowRef } from 'vue';
import type { Events } from '../../../src-shared/contract.ts';
import type { DatasetSummary, ImportProblem, ImportProgress, ImportResult, PairRow } from '../../../src-shared/catalog-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { useAppStore } from './app.ts';
import { storeApi, storeFrames } from './store-deps.ts';

type ImportEvent =
  | { kind: 'progress'; jobId: string; progress: ImportProgress }
  | { kind: 'done'; jobId: string; result: ImportResult }
  | { kind: 'failed'; jobId: string; error: StoreError };

/** The name the sample dataset gets, as `npm run demo` names it. */
export const SAMPLE_DATASET_NAME = 'sample';

/** The datasets area: the list, the selected dataset's pairs and problems, and the import job. */
export const useDatasetsStore = defineStore('datasets', () => {
  const api = storeApi();
  const datasets = ref<DatasetSummary[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<StoreError | null>(null);

  const selectedId = ref<number | null>(null);
  // Thousands of rows that are only ever replaced whole: no need for deep reactivity.
  const pairs = shallowRef<PairRow[]>([]);
  const problems = shallowRef<ImportProblem[]>([]);
  const detailLoading = ref(false);

  const importing = ref(false);
  const importFolderPath = ref<string | null>(null);
  const importProgress = ref<ImportProgress | null>(null);
  const importResult = shallowRef<ImportResult | null>(null);
  const importError = ref<StoreError | null>(null);

  const tracker = new JobTracker<ImportEvent>();
  // Only the newest progress of a frame matters: the bar shows where the import is, not where it was.
  const progressBatcher = createFrameBatcher<ImportProgress>((items) => {
    importProgress.value = items[items.length - 1];
  }, storeFrames());

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      datasets.value = await api.datasets.list();
      loaded.value = true;
      if (selectedId.value === null && datasets.value.length > 0) await select(datasets.value[0].id);
    } catch (e) {
      error.value = toStoreError(e);
    } finally {
      loading.value = false;
    }
  }

  let selectToken = 0;
  /** Shows a dataset's pairs and problems; a slower answer for an earlier selection is dropped. */
  async function select(datasetId: number): Promise<void> {
    const token = ++selectToken;
    selectedId.value = datasetId;
    detailLoading.value = true;
    try {
      const [p, q] = await Promise.all([api.datasets.pairs({ datasetId }), api.datasets.problems({ datasetId })]);
      if (token !== selectToken) return;
      pairs.value = p;
      problems.value = q;
    } catch (e) {
      if (token === selectToken) error.value = toStoreError(e);
    } finally {
      if (token === selectToken) detailLoading.value = false;
    }
  }

  function apply(event: ImportEvent): void {
    if (event.kind === 'progress') return progressBatcher.push(event.progress);
    progressBatcher.flushNow();
    tracker.reset();
    importing.value = false;
    if (event.kind === 'failed') {
      importError.value = event.error;
      return;
    }
    importResult.value = event.result;
    void refresh();
    void select(event.result.dataset.id);
  }

  const onEvent = (event: ImportEvent) => {
    if (tracker.admit(event)) apply(event);
  };
  const unsubscribe = [
    api.events.on('import:progress', ({ jobId, ...progress }: Events['import:progress']) => onEvent({ kind: 'progress', jobId, progress })),
    api.events.on('import:done', ({ jobId, result }) => onEvent({ kind: 'done', jobId, result })),
    api.events.on('import:failed', ({ jobId, error: err }) => onEvent({ kind: 'failed', jobId, error: err })),
    // The import followed ended without this page hearing how (between `jobs:list` and the reattach): the
    // datasets list says what it left.
    api.events.on('jobs:state', ({ jobId, kind, state }) => {
      if (kind !== 'import' || jobId !== tracker.jobId || state === 'queued' || state === 'running') return;
      progressBatcher.clear();
      tracker.reset();
      importing.value = false;
      if (state === 'cancelled') importError.value = { code: 'CANCELLED', message: 'import cancelled; the catalog is unchanged' };
      void refresh();
    }),
  ];
  onScopeDispose(() => unsubscribe.forEach((off) => off()));

  /**
   * A reloaded or second page finds an import that is running and shows it again (its folder, last progress and
   * Cancel): its id from `jobs:list`, so its next events and its outcome are let through.
   */
  async function reattach(): Promise<void> {
    let job;
    try {
      job = (await api.jobs.list()).find((j) => j.kind === 'import');
    } catch {
      return; // nothing to show; the datasets list reports a server that does not answer
    }
    if (!job || job.kind !== 'import' || importing.value || tracker.pending) return;
    tracker.accept(job.jobId);
    importing.value = true;
    importFolderPath.value = job.about.folder ?? null;
    importProgress.value = job.progress;
    importResult.value = null;
    importError.value = null;
  }
  void reattach();

  /** Starts importing a server-side folder (left/ + right/); progress and the outcome arrive as events. */
  async function importFolder(folder: string, name?: string): Promise<void> {
    const path = folder.trim();
    importResult.value = null;
    importProgress.value = null;
    if (!path) {
      importError.value = { code: 'NO_FOLDER', message: 'the folder path is empty' };
      return;
    }
    importError.value = null;
    importing.value = true;
    importFolderPath.value = path;
    progressBatcher.clear();
    tracker.begin();
    try {
      const { jobId } = await api.datasets.import({ folder: path, name });
      for (const held of tracker.accept(jobId)) apply(held);
    } catch (e) {
      tracker.reset();
      importing.value = false;
      importError.value = toStoreError(e);
    }
  }

  /** Imports the bundled sample (60 brand pairs) as the dataset "sample". */
  async function importSample(): Promise<void> {
    const app = useAppStore();
    if (!app.info) await app.loadInfo();
    const samplePath = app.info?.samplePath;
    if (!samplePath) {
      importError.value = { code: 'NO_SAMPLE_PATH', message: 'This server does not say where its sample dataset is; type its folder (samples/brands) instead.' };
      return;
    }
    await importFolder(samplePath, SAMPLE_DATASET_NAME);
  }

  async function cancelImport(): Promise<void> {
    const jobId = tracker.jobId;
    if (!jobId) return;
    try {
      await api.datasets.cancelImport({ jobId });
    } catch (e) {
      importError.value = toStoreError(e);
    }
  }

  /** The native folder dialog where there is one; null in the browser (type the path instead). */
  async function browseFolder(): Promise<string | null> {
    try {
      return await api.dialog.pickFolder();
    } catch (e) {
      importError.value = toStoreError(e);
      return null;
    }
  }

  return {
    datasets, loading, loaded, error, selectedId, pairs, problems, detailLoading,
    importing, importFolderPath, importProgress, importResult, importError,
    refresh, select, importFolder, importSample, cancelImport, browseFolder, reattach,
  };
});
