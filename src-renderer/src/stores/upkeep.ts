import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { DatasetRemoval, RunRemoval } from '../../../src-shared/upkeep-types.ts';
import { datasetRemovalLines, folderKeptNote, runRemovalLines } from '../../../src-shared/upkeep-text.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { useDatasetsStore } from './datasets.ts';
import { useRunsStore } from './runs.ts';
import { storeApi } from './store-deps.ts';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A removal waiting for the user's yes: what it is, and the counts the dialog names. */
export interface PendingRemoval {
  kind: 'dataset' | 'run';
  id: number;
  title: string;
  lines: string[];
  note: string | null;
}

/**
 * Catalog upkeep: removing a dataset or a run (asked first, with what it removes counted by the service) and
 * renaming a dataset or a run. After a change the datasets and runs lists are reloaded.
 */
export const useUpkeepStore = defineStore('upkeep', () => {
  const api = storeApi();
  const pending = shallowRef<PendingRemoval | null>(null);
  const busy = ref(false);
  const error = ref<StoreError | null>(null);
  /** What the last removal or rename did, in words, for a status line. */
  const done = ref<string | null>(null);

  async function reloadLists(): Promise<void> {
    const datasets = useDatasetsStore();
    await Promise.all([datasets.refresh(), useRunsStore().refresh()]);
  }

  /** Asks the service what removing would remove, then shows the confirmation. */
  async function askRemoveDataset(datasetId: number): Promise<void> {
    await ask(async () => {
      const p: DatasetRemoval = await api.datasets.removalPreview({ datasetId });
      return { kind: 'dataset', id: datasetId, title: `Remove dataset “${p.dataset.name}”?`, lines: datasetRemovalLines(p), note: folderKeptNote(p.dataset.root) };
    });
  }

  async function askRemoveRun(runId: number): Promise<void> {
    await ask(async () => {
      const p: RunRemoval = await api.runs.removalPreview({ runId });
      return { kind: 'run', id: runId, title: `Remove run #${runId} of “${p.run.datasetName}”?`, lines: runRemovalLines(p), note: 'Its dataset and the other runs stay.' };
    });
  }

  async function ask(preview: () => Promise<PendingRemoval>): Promise<void> {
    error.value = null;
    done.value = null;
    try {
      pending.value = await preview();
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  function dismiss(): void {
    pending.value = null;
  }

  /** The user said yes: removes what the dialog named. */
  async function confirm(): Promise<void> {
    const p = pending.value;
    if (!p || busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      if (p.kind === 'dataset') {
        const r = await api.datasets.remove({ datasetId: p.id });
        const datasets = useDatasetsStore();
        if (datasets.selectedId === p.id) datasets.selectedId = null;
        done.value = `Removed dataset “${r.dataset.name}”: ${plural(r.pairs, 'pair')}, ${plural(r.runs.length, 'run')}, ${plural(r.images, 'image')}. ${folderKeptNote(r.dataset.root)}`;
      } else {
        const r = await api.runs.remove({ runId: p.id });
        done.value = `Removed run #${r.run.id} of “${r.run.datasetName}”.`;
      }
      pending.value = null;
      await reloadLists();
    } catch (e) {
      error.value = toStoreError(e);
    } finally {
      busy.value = false;
    }
  }

  /** Renames a dataset; false (and `error`) when the name is refused. */
  async function renameDataset(datasetId: number, name: string): Promise<boolean> {
    error.value = null;
    done.value = null;
    try {
      const r = await api.datasets.rename({ datasetId, name });
      done.value = `Renamed “${r.oldName}” to “${r.name}”.`;
      await reloadLists();
      return true;
    } catch (e) {
      error.value = toStoreError(e);
      return false;
    }
  }

  /** Names a run (shown beside its number); false (and `error`) when the name is refused. */
  async function renameRun(runId: number, name: string): Promise<boolean> {
    error.value = null;
    done.value = null;
    try {
      const r = await api.runs.rename({ runId, name });
      done.value = r.name === null ? `Run #${r.id} has no name now.` : `Named run #${r.id} “${r.name}”.`;
      await useRunsStore().refresh();
      return true;
    } catch (e) {
      error.value = toStoreError(e);
      return false;
    }
  }

  return { pending, busy, error, done, askRemoveDataset, askRemoveRun, dismiss, confirm, renameDataset, renameRun };
});
