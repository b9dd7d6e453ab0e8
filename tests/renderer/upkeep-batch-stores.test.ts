import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useUpkeepStore } from '../../src-renderer/src/stores/upkeep.ts';
import { useBatchStore } from '../../src-renderer/src/stores/batch.ts';
import { useDatasetsStore } from '../../src-renderer/src/stores/datasets.ts';
import type { DatasetRemoval } from '../../src-shared/upkeep-types.ts';
import type { BatchResult } from '../../src-shared/batch-types.ts';
import { coded, fakeApi, fakeFrames, settle } from './fake-api.ts';
import { dataset } from './fixtures.ts';

const removal: DatasetRemoval = {
  dataset: { id: 1, name: 'set1', root: '/data/set1' },
  pairs: 3, runs: [4], images: 6, sharedImagesKept: 0, checkpoints: 1, featureRows: 6, embeddingRows: 6, generatedFiles: 0,
};

describe('upkeep store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows what a removal removes, removes only after the yes, then reloads the lists', async () => {
    let listed = [dataset(1), dataset(2)];
    const fake = fakeApi({
      'datasets:removalPreview': () => removal,
      'datasets:remove': () => {
        listed = [dataset(2)];
        return removal;
      },
      'datasets:list': () => listed,
      'datasets:pairs': () => [],
      'datasets:problems': () => [],
      'runs:list': () => [],
    });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    const store = useUpkeepStore();
    await store.askRemoveDataset(1);
    expect(store.pending?.title).toBe('Remove dataset “set1”?');
    expect(store.pending?.lines[0]).toBe('3 pairs');
    expect(store.pending?.note).toBe('The image files in /data/set1 are not touched.');
    expect(fake.callsOf('datasets:remove')).toEqual([]);
    await store.confirm();
    expect(fake.callsOf('datasets:remove')).toEqual([{ datasetId: 1 }]);
    expect(store.pending).toBeNull();
    expect(useDatasetsStore().datasets.map((d) => d.id)).toEqual([2]);
  });

  it('names a run and reloads the run list; a refused name is shown, not thrown', async () => {
    let name: string | null = null;
    const fake = fakeApi({
      'runs:rename': ({ runId, name: next }) => {
        if (next.includes('\t')) throw coded('BAD_NAME', 'a run name cannot contain control characters (tabs, line breaks)');
        const old = name;
        name = next.trim() || null;
        return { id: runId, oldName: old, name };
      },
      'runs:list': () => [],
    });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    const store = useUpkeepStore();
    expect(await store.renameRun(3, 'first try')).toBe(true);
    expect(store.done).toBe('Named run #3 “first try”.');
    expect(fake.callsOf('runs:list')).toHaveLength(1);
    expect(await store.renameRun(3, 'a\tb')).toBe(false);
    expect(store.error?.code).toBe('BAD_NAME');
  });

  it('keeps the dialog and shows the refusal when a job uses the dataset', async () => {
    const fake = fakeApi({
      'datasets:removalPreview': () => removal,
      'datasets:remove': () => {
        throw coded('IN_USE_BY_JOB', 'this dataset is in use by a training');
      },
    });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    const store = useUpkeepStore();
    await store.askRemoveDataset(1);
    await store.confirm();
    expect(store.error?.code).toBe('IN_USE_BY_JOB');
    expect(store.pending).not.toBeNull();
  });
});

describe('batch store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('sends the chosen folder, shows progress per file, then the result; cancel asks the runner', async () => {
    const frames = fakeFrames();
    const fake = fakeApi({ 'dialog:pickFolder': () => '/cases/suspects', 'query:batch': () => ({ jobId: 'b1' }), 'jobs:cancel': () => undefined });
    provideStoreDeps({ api: fake.api, scheduleFrame: frames.schedule });
    const store = useBatchStore();
    await store.start();
    expect(store.error?.code).toBe('NO_INPUT');
    expect(await store.pickFolder()).toBe(true);
    store.top = 3;
    await store.start();
    expect(fake.callsOf('query:batch')).toEqual([{ inputs: [{ path: '/cases/suspects' }], top: 3, runId: undefined }]);
    fake.emit('query:batchProgress', { jobId: 'other', done: 9, total: 9 });
    fake.emit('query:batchProgress', { jobId: 'b1', done: 1, total: 4, current: 'a.png' });
    frames.tick();
    expect(store.progress).toEqual({ done: 1, total: 4, current: 'a.png' });
    await store.cancel();
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'b1' }]);
    const result: BatchResult = { runId: 2, tau: 0.5, items: [], unusable: [{ file: 'x', code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' }] };
    fake.emit('query:batchDone', { jobId: 'b1', result });
    await settle();
    expect(store.running).toBe(false);
    expect(store.result).toEqual(result);
    expect(store.jobId).toBe('b1');
  });
});
