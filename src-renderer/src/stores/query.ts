import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import type { BridgeError } from '../../../src-shared/contract.ts';
import type { Side } from '../../../src-shared/catalog-types.ts';
import type { FeedbackVerdict, QueryHit, QueryImage, QueryResponse } from '../../../src-shared/query-types.ts';
import { JobTracker } from '../lib/job-tracker.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi } from './store-deps.ts';

type QueryEvent =
  | { kind: 'progress'; jobId: string; done: number; total: number }
  | { kind: 'done'; jobId: string; response: QueryResponse }
  | { kind: 'failed'; jobId: string; error: BridgeError };

/** A hit as the results grid shows it: its match badge follows the slider, its mark follows the user. */
export type ShownHit = QueryHit & { match: boolean; feedback: FeedbackVerdict | null };

/** The query area: the image asked about, the run and dataset asked, the ranked answer, tau and the marks. */
export const useQueryStore = defineStore('query', () => {
  const api = storeApi();
  const image = shallowRef<QueryImage | null>(null);
  /** What the user sees of the image: its name, and a preview URL when the page can show it. */
  const imageLabel = ref<string | null>(null);
  const previewUrl = ref<string | null>(null);
  /** null: the newest finished run / every dataset. */
  const runId = ref<number | null>(null);
  const datasetId = ref<number | null>(null);
  /** null: left and right images alike. */
  const side = ref<Side | null>(null);
  const top = ref(10);

  const response = shallowRef<QueryResponse | null>(null);
  const tau = ref(0);
  const loading = ref(false);
  /** While a query embeds catalog images: how many of how many. */
  const embedding = ref<{ done: number; total: number } | null>(null);
  const error = ref<StoreError | null>(null);
  /** Marks made in this session, by result image; null = cleared. They win over the response's. */
  const marks = ref<Record<number, FeedbackVerdict | null>>({});
  const markError = ref<StoreError | null>(null);
  /** The result whose mark is on its way. */
  const markingId = ref<number | null>(null);

  /** The hits with badges computed from the slider's tau, so moving it needs no new request. */
  const hits = computed<ShownHit[]>(() =>
    (response.value?.hits ?? []).map((h) => ({
      ...h,
      match: h.score >= tau.value,
      feedback: h.imageId in marks.value ? marks.value[h.imageId] : h.feedback,
    })),
  );

  /** Sets the image to ask about (from the dialog, a file input or a drop). */
  function setImage(next: QueryImage, label: string, preview: string | null = null): void {
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

  // A query is a job: its answer arrives as an event of its jobId. Only the newest query's events are shown.
  const tracker = new JobTracker<QueryEvent>();
  /** Resolves the pending run() once its job has ended (or been left). */
  let ended: (() => void) | undefined;
  /** Bumped by every run and cancel: a start reply for an older one is stale. */
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
      tau.value = event.response.tau;
      marks.value = {};
      markError.value = null;
    } else if (event.error.code !== 'CANCELLED') {
      error.value = event.error;
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
  ];
  onScopeDispose(() => unsubscribe.forEach((off) => off()));

  /**
   * Ranks the catalog against the image; resolves when the answer (or the error) is shown. A query still running
   * is cancelled first: its answer would be dropped anyway.
   */
  async function run(): Promise<void> {
    if (!image.value) {
      error.value = { code: 'NO_IMAGE', message: 'Choose an image to search for first.' };
      return;
    }
    await cancel();
    const token = ++queryToken;
    const request = { image: image.value, runId: runId.value ?? undefined, datasetId: datasetId.value ?? undefined, side: side.value ?? undefined, top: top.value };
    tracker.begin();
    loading.value = true;
    error.value = null;
    embedding.value = null;
    const done = new Promise<void>((resolve) => (ended = resolve));
    try {
      const { jobId } = await api.query.start(request);
      if (token !== queryToken) {
        // Left (cancelled or replaced) before its id came back: stop it too.
        void api.jobs.cancel({ jobId }).catch(() => undefined);
        return;
      }
      for (const held of tracker.accept(jobId)) apply(held);
    } catch (e) {
      if (token === queryToken) {
        error.value = toStoreError(e);
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

  return { image, imageLabel, previewUrl, runId, datasetId, side, top, response, tau, loading, embedding, error, hits, marks, markError, markingId, setImage, pickImage, run, cancel, mark };
});
