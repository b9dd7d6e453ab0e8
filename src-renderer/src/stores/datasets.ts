import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetSummary } from '../../../src-shared/catalog-types.ts';
import { getApi } from '../api.ts';

/** The datasets area: the list, and the error of the last attempt to load it. */
export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetSummary[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      datasets.value = await getApi().datasets.list();
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loading.value = false;
    }
  }

  return { datasets, loading, error, refresh };
});
