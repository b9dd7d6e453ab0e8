import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useRunsStore } from '../../src-renderer/src/stores/runs.ts';
import { coded, fakeApi, fakeFrames } from './fake-api.ts';
import { runSummary } from './fixtures.ts';

describe('runs store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('lists runs newest first and compares the last two picked', async () => {
    const fake = fakeApi({ 'runs:list': () => [runSummary(1), runSummary(3, { status: 'failed' }), runSummary(2)] });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    const store = useRunsStore();
    await store.refresh();
    expect(store.runs.map((r) => r.id)).toEqual([3, 2, 1]);
    expect(store.finished.map((r) => r.id)).toEqual([2, 1]);
    store.toggleCompare(1);
    store.toggleCompare(2);
    store.toggleCompare(3);
    expect(store.compared.map((r) => r.id)).toEqual([2, 3]);
    store.toggleCompare(2);
    expect(store.compared.map((r) => r.id)).toEqual([3]);
  });

  it('puts a failed listing in store.error with its code', async () => {
    const fake = fakeApi({
      'runs:list': () => {
        throw coded('CATALOG_LOCKED', 'database is locked');
      },
    });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    const store = useRunsStore();
    await store.refresh();
    expect(store.error).toEqual({ code: 'CATALOG_LOCKED', message: 'database is locked' });
  });
});
