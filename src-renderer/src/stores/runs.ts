import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RunSummary } from '../../../src-shared/training-types.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi } from './store-deps.ts';

/** The runs area: every run of the catalog, newest first, and the two picked for comparison. */
export const useRunsStore = defineStore('runs', () => {
  const api = storeApi();
  const runs = shallowRef<RunSummary[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<StoreError | null>(null);
  const compareIds = ref<number[]>([]);

  const compared = computed(() =>
    compareIds.value.map((id) => runs.value.find((r) => r.id === id)).filter((r): r is RunSummary => r !== undefined),
  );
  /** Finished runs, the ones a query can use. */
  const finished = computed(() => runs.value.filter((r) => r.status === 'done'));

  let refreshToken = 0;
  async function refresh(): Promise<void> {
    const token = ++refreshToken;
    loading.value = true;
    try {
      const list = await api.runs.list({});
      if (token !== refreshToken) return;
      runs.value = [...list].sort((a, b) => b.id - a.id);
      loaded.value = true;
      error.value = null;
      compareIds.value = compareIds.value.filter((id) => runs.value.some((r) => r.id === id));
    } catch (e) {
      if (token === refreshToken) error.value = toStoreError(e);
    } finally {
      if (token === refreshToken) loading.value = false;
    }
  }

  /** Picks a run for comparison or drops it; a third pick replaces the older of the two. */
  function toggleCompare(id: number): void {
    if (compareIds.value.includes(id)) compareIds.value = compareIds.value.filter((x) => x !== id);
    else compareIds.value = [...compareIds.value, id].slice(-2);
  }

  return { runs, loading, loaded, error, compareIds, compared, finished, refresh, toggleCompare };
});
