import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import type { JobInfo } from '../../../src-shared/job-types.ts';
import { createFrameBatcher } from '../lib/frame-batcher.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi, storeFrames } from './store-deps.ts';

/**
 * Every job the services run that has not ended (`jobs:list`), kept current by `jobs:state` events: what the
 * training view lists as queued (each cancellable) and the run history marks as queued.
 */
export const useJobsStore = defineStore('jobs', () => {
  const api = storeApi();
  const jobs = shallowRef<JobInfo[]>([]);
  const error = ref<StoreError | null>(null);

  let token = 0;
  async function refresh(): Promise<void> {
    const mine = ++token;
    try {
      const list = await api.jobs.list();
      if (mine !== token) return;
      jobs.value = list;
      error.value = null;
    } catch (e) {
      if (mine === token) error.value = toStoreError(e);
    }
  }
  // A burst of state changes (a batch of queries) asks once per frame.
  const changes = createFrameBatcher<unknown>(() => void refresh(), storeFrames());
  const off = api.events.on('jobs:state', (change) => changes.push(change));
  onScopeDispose(off);
  void refresh();

  /** Trainings waiting for the one that runs, oldest first. */
  const queuedTrainings = computed(() => jobs.value.filter((j) => j.kind === 'training' && j.state === 'queued'));
  /** Runs whose resume waits in the queue, by run id → job id. */
  const queuedRuns = computed(() => new Map(queuedTrainings.value.filter((j) => j.about.runId !== undefined).map((j) => [j.about.runId!, j.jobId])));

  /** Cancels a job (a queued one ends at once); the list follows from its state event. */
  async function cancel(jobId: string): Promise<void> {
    try {
      await api.jobs.cancel({ jobId });
    } catch (e) {
      error.value = toStoreError(e);
    }
    await refresh();
  }

  return { jobs, error, queuedTrainings, queuedRuns, refresh, cancel };
});
