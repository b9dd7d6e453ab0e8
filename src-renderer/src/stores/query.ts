import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { BridgeError } from '../../../src-shared/contract.ts';
import type { PairRow, Side } from '../../../src-shared/catalog-types.ts';
import type { FeedbackVerdict, QueryHit, QueryImage, QueryResponse } from '../../../src-shared/query-types.ts';
import { calibrationOf, defaultRunFor } from '../lib/run-trust.ts';
import { checkTop } from '../lib/form-checks.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { TauMemory } from '../lib/tau-memory.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { useRunsStore } from './runs.ts';
import { storeApi, storeStorage } from './store-deps.ts';

type QueryEvent =
  | { kind: 'progress'; jobId: string; done: number; total: number }
  | { kind: 'done'; jobId: string; response: QueryResponse }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/**
 * A hit as the results grid shows it: the model's verdict follows the threshold (null: no threshold to judge by,
 * so no badge), the user's mark follows the user.
 */
export type ShownHit = Omit<QueryHit, 'match'> & { match: boolean | null; feedback: FeedbackVerdict | null };

/** Where the threshold in use comes from: the user's own (kept per run), the run's calibration, or nowhere. */
export type TauSource = 'user' | 'run' | null;

/**
 * The query area: the image asked about, the run and dataset asked, the ranked answer, the threshold (per run),
 * the marks, and the result opened side by side.
 */
export const useQueryStore = defineStore('query', () => {
  const api = storeApi();
  const runs = useRunsStore();
  const memory = new TauMemory(storeStorage());

  const image = shallowRef<QueryImage | null>(null);
  /** What the user sees of the image: its file name, and a preview URL when the page can show it. */
  const imageLabel = ref<string | null>(null);
  const previewUrl = ref<string | null>(null);
  /** null: the recommended run (see defaultRunFor); every dataset when datasetId is null. */
  const runId = ref<number | null>(null);
  const datasetId = ref<number | null>(null);
  /** null: logos and look-alikes alike. */
  const side = ref<Side | null>(null);
  const top = ref(10);

  const response = shallowRef<QueryResponse | null>(null);
  const loading = ref(false);
  /** While a query embeds catalog images: how many of how many. */
  const embedding = ref<{ done: number; total: number } | null>(null);
  const error = ref<StoreError | null>(null);
  /** Marks made since the answer came, by result image; null = cleared. They win over the response's. */
  const marks = ref<Record<number, FeedbackVerdict | null>>({});
  const markError = ref<StoreError | null>(null);
  /** The result whose mark is on its way. */
  const markingId = ref<number | null>(null);

  /** The run a query uses when the user picks none, and whether it is calibrated. */
  const defaultRun = computed(() => defaultRunFor(runs.runs, datasetId.value));
  // A run picked for another dataset than the one now searched falls back to the recommended one.
  watch(datasetId, (id) => {
    const picked = runs.runs.find((r) => r.id === runId.value);
    if (id !== null && picked && picked.datasetId !== id) runId.value = null;
  });
  /** The run the next query will use. */
  const chosenRun = computed(() => {
    const id = runId.value ?? defaultRun.value?.run.id;
    return runs.runs.find((r) => r.id === id) ?? null;
  });
  /** The run that answered the results shown. */
  const shownRun = computed(() => (response.value ? (runs.runs.find((r) => r.id === response.value!.runId) ?? null) : null));
  const calibration = computed(() => calibrationOf(shownRun.value));

  // localStorage is not reactive: a bump re-reads the user's threshold after it is set.
  const memoryTick = ref(0);
  const runKey = computed(() => (response.value ? { id: response.value.runId, createdAt: shownRun.value?.createdAt } : null));
  const userTau = computed(() => {
    void memoryTick.value;
    return runKey.value ? memory.get(runKey.value) : null;
  });
  /** Where the threshold in use comes from; null = the run has no tau worth showing badges for. */
  const tauSource = computed<TauSource>(() => (userTau.value !== null ? 'user' : calibration.value.state === 'calibrated' ? 'run' : null));
  /** The threshold badges are drawn with; setting it keeps it for the run. */
  const tau = computed<number | null>({
    get: () => userTau.value ?? (calibration.value.state === 'calibrated' ? calibration.value.tau : null),
    set: (v) => setTau(v),
  });

  /** Keeps the user's own threshold for the shown run (null: back to the run's calibration, or none). */
  function setTau(v: number | null): void {
    if (!runKey.value) return;
    memory.set(runKey.value, v === null || !Number.isFinite(v) ? null : v);
    memoryTick.value++;
  }

  /** The hits with badges from the threshold in use, so moving it needs no new request. */
  const hits = computed<ShownHit[]>(() =>
    (response.value?.hits ?? []).map((h) => ({
      ...h,
      match: tau.value === null ? null : h.score >= tau.value,
      feedback: h.imageId in marks.value ? marks.value[h.imageId] : h.feedback,
    })),
  );

  // A query is a job: its answer arrives as an event of its jobId. Only the newest query's events are shown.
  const tracker = new JobTracker<QueryEvent>();
  /** Resolves the pending run() once its job has ended (or been left). */
  let ended: (() => void) | undefined;
  /** Bumped by every run, cancel and new image: a start reply for an older one is stale. */
  let queryToken = 0;

  function finish(): void {
    tracker.reset();
    loading.value = false;
    embedding.value = null;
    ended?.();
    ended = undefined;
  }

  function apply(event: QueryEvent): void {
    if (event.kind === 'progress') {
      embedding.value = { done: event.done, total: event.total };
      return;
    }
    if (event.kind === 'done') {
      response.value = event.response;
      marks.value = {};
      markError.value = null;
      if (compareId.value !== null && !event.response.hits.some((h) => h.imageId === compareId.value)) closeCompare();
    } else if (event.error.code !== 'CANCELLED') {
      // The error replaces the results: they answered an earlier query, not this one.
      error.value = event.error;
      response.value = null;
      closeCompare();
    }
    finish();
  }

  const onEvent = (event: QueryEvent) => {
    if (tracker.admit(event)) apply(event);
  };
  const unsubscribe = [
    api.events.on('query:progress', (p) => onEvent({ kind: 'progress', ...p })),
    api.events.on('query:done', (p) => onEvent({ kind: 'done', ...p })),
    api.events.on('query:failed', (p) => onEvent({ kind: 'failed', ...p })),
    // The query followed ended without this page hearing how (between `jobs:list` and the reattach).
    api.events.on('jobs:state', ({ jobId, kind, state }) => {
      if (kind === 'query' && jobId === tracker.jobId && state !== 'queued' && state !== 'running') finish();
    }),
  ];
  onScopeDispose(() => unsubscribe.forEach((off) => off()));

  /** Set while the results come from a query this page did not send (started before a reload, or in another window). */
  const reattached = ref(false);
  /**
   * A reloaded or second page finds a query that is running (embedding the catalog for a run's first query can
   * take minutes) and follows it: its progress, Cancel, and its answer when it comes. Its image stays unknown here.
   */
  async function reattach(): Promise<void> {
    let job;
    try {
      job = (await api.jobs.list()).find((j) => j.kind === 'query');
    } catch {
      return;
    }
    if (!job || job.kind !== 'query' || loading.value || tracker.pending) return;
    tracker.accept(job.jobId);
    reattached.value = true;
    loading.value = true;
    error.value = null;
    embedding.value = job.progress;
  }
  void reattach();

  /** Forgets the answer, its marks and the opened result, and stops a query still running: they were about another image. */
  function clearResults(): void {
    void cancel();
    response.value = null;
    marks.value = {};
    markError.value = null;
    closeCompare();
  }

  /** Sets the image to ask about (from the dialog, a file input or a drop); the previous image's results go. */
  function setImage(next: QueryImage, label: string, preview: string | null = null): void {
    clearResults();
    reattached.value = false;
    image.value = next;
    imageLabel.value = label;
    previewUrl.value = preview;
    error.value = null;
  }

  /** The native image dialog where there is one; false in the browser (choose or drop a file instead). */
  async function pickImage(): Promise<boolean> {
    try {
      const path = await api.dialog.pickImage();
      if (!path) return false;
      setImage({ path }, path.split(/[\\/]/).pop() ?? path);
      return true;
    } catch (e) {
      error.value = toStoreError(e);
      return false;
    }
  }

  /** Why the query cannot be sent as it is, by field (checked before sending). */
  const topProblem = computed(() => checkTop(top.value));

  /**
   * Ranks the catalog against the image; resolves when the answer (or the error, which replaces the results) is
   * shown. A query still running is cancelled first: its answer would be dropped anyway.
   */
  async function run(): Promise<void> {
    if (!image.value) {
      error.value = { code: 'NO_IMAGE', message: 'no query image' };
      return;
    }
    if (topProblem.value) {
      error.value = { code: 'BAD_QUERY', message: `top must be from 1 to 100, not ${top.value}` };
      return;
    }
    await cancel();
    const token = ++queryToken;
    const request = {
      image: image.value,
      runId: chosenRun.value?.id ?? runId.value ?? undefined,
      datasetId: datasetId.value ?? undefined,
      side: side.value ?? undefined,
      top: top.value,
    };
    tracker.begin();
    loading.value = true;
    error.value = null;
    embedding.value = null;
    const done = new Promise<void>((resolve) => (ended = resolve));
    try {
      const { jobId } = await api.query.start(request);
      if (token !== queryToken) {
        // Left (cancelled, replaced, or a new image chosen) before its id came back: stop it too.
        void api.jobs.cancel({ jobId }).catch(() => undefined);
        return;
      }
      for (const held of tracker.accept(jobId)) apply(held);
    } catch (e) {
      if (token === queryToken) {
        error.value = toStoreError(e);
        response.value = null;
        closeCompare();
        finish();
      }
      return;
    }
    await done;
  }

  /** Stops the query being answered, if any; its results, if they still come, are not shown. */
  async function cancel(): Promise<void> {
    const jobId = tracker.jobId;
    queryToken++;
    if (!loading.value) return;
    finish();
    if (jobId) {
      try {
        await api.jobs.cancel({ jobId });
      } catch {
        // The query may have ended meanwhile; nothing is shown of it either way.
      }
    }
  }

  /** Marks a result; marking it again with the same verdict clears the mark. */
  async function mark(hit: ShownHit, verdict: FeedbackVerdict): Promise<void> {
    const answer = response.value;
    if (!answer) return;
    const next = hit.feedback === verdict ? null : verdict;
    markError.value = null;
    markingId.value = hit.imageId;
    try {
      await api.feedback.mark({ querySha256: answer.querySha256, resultImageId: hit.imageId, verdict: next, runId: answer.runId });
      marks.value = { ...marks.value, [hit.imageId]: next };
    } catch (e) {
      markError.value = toStoreError(e);
    } finally {
      markingId.value = null;
    }
  }

  // The side-by-side compare: one result at a time, with its pair looked up in its dataset.
  const compareId = ref<number | null>(null);
  const compareHit = computed(() => hits.value.find((h) => h.imageId === compareId.value) ?? null);
  const comparePair = shallowRef<PairRow | null>(null);
  const compareError = ref<StoreError | null>(null);
  const pairsByDataset = new Map<number, Promise<PairRow[]>>();
  let compareToken = 0;

  /** Opens a result side by side with the query, and finds both images of its pair. */
  async function openCompare(hit: Pick<ShownHit, 'imageId' | 'datasetId' | 'pairName'>): Promise<void> {
    const token = ++compareToken;
    compareId.value = hit.imageId;
    comparePair.value = null;
    compareError.value = null;
    let pairs = pairsByDataset.get(hit.datasetId);
    if (!pairs) pairsByDataset.set(hit.datasetId, (pairs = api.datasets.pairs({ datasetId: hit.datasetId })));
    try {
      const list = await pairs;
      if (token !== compareToken) return;
      comparePair.value =
        list.find((p) => p.left.imageId === hit.imageId || p.right.imageId === hit.imageId) ?? list.find((p) => p.name === hit.pairName) ?? null;
    } catch (e) {
      pairsByDataset.delete(hit.datasetId);
      if (token === compareToken) compareError.value = toStoreError(e);
    }
  }

  /** Opens the next (+1) or previous (−1) result in the compare. */
  function stepCompare(by: 1 | -1): void {
    const list = hits.value;
    const i = list.findIndex((h) => h.imageId === compareId.value);
    const next = list[i + by];
    if (i >= 0 && next) void openCompare(next);
  }

  function closeCompare(): void {
    compareToken++;
    compareId.value = null;
    comparePair.value = null;
    compareError.value = null;
  }

  return {
    reattached, reattach, image, imageLabel, previewUrl, runId, datasetId, side, top, response, loading, embedding, error, hits, marks, markError, markingId,
    defaultRun, chosenRun, shownRun, calibration, tau, tauSource, topProblem,
    compareId, compareHit, comparePair, compareError,
    setImage, clearResults, pickImage, run, cancel, mark, setTau, openCompare, stepCompare, closeCompare,
  };
});
