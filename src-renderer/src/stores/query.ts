import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { Side } from '../../../src-shared/catalog-types.ts';
import type { FeedbackVerdict, QueryHit, QueryImage, QueryResponse } from '../../../src-shared/query-types.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi } from './store-deps.ts';

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

  let queryToken = 0;
  /** Ranks the catalog against the image; an answer to an earlier, slower query is dropped. */
  async function run(): Promise<void> {
    if (!image.value) {
      error.value = { code: 'NO_IMAGE', message: 'Choose an image to search for first.' };
      return;
    }
    const token = ++queryToken;
    loading.value = true;
    error.value = null;
    embedding.value = null;
    // A run's first query embeds the catalog's images; the service says how far it got.
    const stop = api.events.on('query:progress', (p) => {
      if (token === queryToken) embedding.value = p;
    });
    try {
      const answer = await api.query.run({
        image: image.value,
        runId: runId.value ?? undefined,
        datasetId: datasetId.value ?? undefined,
        side: side.value ?? undefined,
        top: top.value,
      });
      if (token !== queryToken) return;
      response.value = answer;
      tau.value = answer.tau;
      marks.value = {};
      markError.value = null;
    } catch (e) {
      if (token === queryToken) error.value = toStoreError(e);
    } finally {
      stop();
      if (token === queryToken) {
        loading.value = false;
        embedding.value = null;
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

  return { image, imageLabel, previewUrl, runId, datasetId, side, top, response, tau, loading, embedding, error, hits, marks, markError, markingId, setImage, pickImage, run, mark };
});
