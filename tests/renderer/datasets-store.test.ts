import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useDatasetsStore } from '../../src-renderer/src/stores/datasets.ts';
import type { ImportResult } from '../../src-shared/catalog-types.ts';
import { coded, fakeApi, fakeFrames, settle, type FakeHandlers } from './fake-api.ts';
import { dataset, pairRow } from './fixtures.ts';

function setup(handlers: FakeHandlers = {}) {
  let next = 0;
  const catalog = [dataset(1, 'old')];
  const fake = fakeApi({
    'app:info': () => ({ version: '0.1.0', catalogPath: '/tmp/c.sqlite', transport: 'web' as const, samplePath: '/srv/samples/brands' }),
    'datasets:list': () => [...catalog],
    'datasets:pairs': ({ datasetId }) => [pairRow(datasetId * 10), pairRow(datasetId * 10 + 1)],
    'datasets:problems': () => [{ side: 'right' as const, file: 'x.txt', code: 'UNSUPPORTED_TYPE' as const, reason: 'not an image type' }],
    'datasets:import': () => ({ jobId: `imp${++next}` }),
    'datasets:cancelImport': () => undefined,
    'dialog:pickFolder': () => null,
    ...handlers,
  });
  const frames = fakeFrames();
  provideStoreDeps({ api: fake.api, scheduleFrame: frames.schedule });
  setActivePinia(createPinia());
  return { fake, frames, catalog, store: useDatasetsStore() };
}

const result = (id: number, name: string): ImportResult => ({ dataset: { id, name }, pairs: 2, added: 2, updated: 0, dropped: [], problems: [] });

describe('datasets store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('lists the datasets and shows the first one with its pairs and problems', async () => {
    const { store } = setup();
    await store.refresh();
    expect(store.datasets.map((d) => d.name)).toEqual(['old']);
    expect(store.selectedId).toBe(1);
    expect(store.pairs.map((p) => p.id)).toEqual([10, 11]);
    expect(store.problems[0].code).toBe('UNSUPPORTED_TYPE');
  });

  it('shows import progress once per frame, then the new dataset when the import is done', async () => {
    const { fake, frames, catalog, store } = setup();
    await store.importFolder('  /data/acme  ');
    expect(fake.callsOf('datasets:import')).toEqual([{ folder: '/data/acme', name: undefined }]);
    expect(store.importing).toBe(true);
    for (let i = 1; i <= 30; i++) fake.emit('import:progress', { jobId: 'imp1', phase: 'decode', done: i, total: 60 });
    expect(store.importProgress).toBeNull();
    frames.tick();
    expect(store.importProgress).toEqual({ phase: 'decode', done: 30, total: 60 });

    catalog.push(dataset(2, 'acme'));
    fake.emit('import:done', { jobId: 'imp1', result: result(2, 'acme') });
    expect(store.importing).toBe(false);
    expect(store.importResult?.dataset.name).toBe('acme');
    await settle();
    expect(store.datasets.map((d) => d.name)).toEqual(['old', 'acme']);
    expect(store.selectedId).toBe(2);
    expect(store.pairs.map((p) => p.id)).toEqual([20, 21]);
  });

  it('ignores the events of an import it no longer shows', async () => {
    const { fake, frames, store } = setup();
    await store.importFolder('/data/a');
    await store.importFolder('/data/b');
    fake.emit('import:progress', { jobId: 'imp1', phase: 'decode', done: 5, total: 9 });
    fake.emit('import:done', { jobId: 'imp1', result: result(9, 'a') });
    frames.tick();
    expect(store.importProgress).toBeNull();
    expect(store.importResult).toBeNull();
    expect(store.importing).toBe(true);
  });

  it('puts a failed import in importError with its code, whether refused or failed later', async () => {
    const { fake, store } = setup({
      'datasets:import': ({ folder }) => {
        if (folder === '/nope') throw coded('NOT_A_PAIRED_FOLDER', 'left/ is missing');
        return { jobId: 'imp9' };
      },
    });
    await store.importFolder('/nope');
    expect(store.importError).toEqual({ code: 'NOT_A_PAIRED_FOLDER', message: 'left/ is missing' });
    expect(store.importing).toBe(false);

    await store.importFolder('/data/x');
    expect(store.importError).toBeNull();
    fake.emit('import:failed', { jobId: 'imp9', error: { code: 'UNREADABLE', message: 'permission denied' } });
    expect(store.importError?.code).toBe('UNREADABLE');
    expect(store.importing).toBe(false);
  });

  it('asks for a folder before sending anything when the path is empty', async () => {
    const { fake, store } = setup();
    await store.importFolder('   ');
    expect(store.importError?.code).toBe('NO_FOLDER');
    expect(fake.callsOf('datasets:import')).toEqual([]);
  });

  it('imports the sample from the folder AppInfo names, as the dataset "sample"', async () => {
    const { fake, store } = setup();
    await store.importSample();
    expect(fake.callsOf('datasets:import')).toEqual([{ folder: '/srv/samples/brands', name: 'sample' }]);
  });

  it('says so when the server does not tell where the sample is', async () => {
    const { fake, store } = setup({ 'app:info': () => ({ version: '0.1.0', catalogPath: '/c', transport: 'web' as const }) });
    await store.importSample();
    expect(store.importError?.code).toBe('NO_SAMPLE_PATH');
    expect(fake.callsOf('datasets:import')).toEqual([]);
  });

  it('cancels the import it shows', async () => {
    const { fake, store } = setup();
    await store.importFolder('/data/a');
    await store.cancelImport();
    expect(fake.callsOf('datasets:cancelImport')).toEqual([{ jobId: 'imp1' }]);
    fake.emit('import:failed', { jobId: 'imp1', error: { code: 'CANCELLED', message: 'import cancelled; the catalog is unchanged' } });
    expect(store.importError?.code).toBe('CANCELLED');
  });

  it('keeps the pairs of the last selected dataset when an earlier answer comes late', async () => {
    let releaseFirst!: () => void;
    const firstGate = new Promise<void>((r) => (releaseFirst = r));
    const { store } = setup({
      'datasets:pairs': async ({ datasetId }) => {
        if (datasetId === 1) await firstGate;
        return [pairRow(datasetId * 10)];
      },
    });
    const first = store.select(1);
    await store.select(2);
    releaseFirst();
    await first;
    expect(store.selectedId).toBe(2);
    expect(store.pairs.map((p) => p.id)).toEqual([20]);
  });

  it('stops listening when the store is disposed', () => {
    const { fake, store } = setup();
    expect(fake.listenerCount('import:progress')).toBe(1);
    store.$dispose();
    expect(fake.listenerCount('import:progress')).toBe(0);
  });
});

describe('datasets store after a reload', () => {
  beforeEach(() => setActivePinia(createPinia()));

  const running = (progress: { phase: 'decode'; done: number; total: number } | null) => () => [
    { jobId: 'imp-live', kind: 'import' as const, state: 'running' as const, createdAt: 't', startedAt: 't', about: { folder: '/data/big' }, progress },
  ];

  it('reattaches to the running import: its folder, last progress, next events and Cancel', async () => {
    const { fake, frames, store } = setup({ 'jobs:list': running({ phase: 'decode', done: 40, total: 900 }) });
    await settle();
    expect(store.importing).toBe(true);
    expect(store.importFolderPath).toBe('/data/big');
    expect(store.importProgress).toEqual({ phase: 'decode', done: 40, total: 900 });
    fake.emit('import:progress', { jobId: 'someone-else', phase: 'decode', done: 1, total: 2 });
    fake.emit('import:progress', { jobId: 'imp-live', phase: 'decode', done: 41, total: 900 });
    frames.tick();
    expect(store.importProgress).toEqual({ phase: 'decode', done: 41, total: 900 });
    await store.cancelImport();
    expect(fake.callsOf('datasets:cancelImport')).toEqual([{ jobId: 'imp-live' }]);
    fake.emit('import:failed', { jobId: 'imp-live', error: { code: 'CANCELLED', message: 'import cancelled; the catalog is unchanged' } });
    expect(store.importing).toBe(false);
    expect(store.importError?.code).toBe('CANCELLED');
  });

  it('stops showing the import when it ended before the page could hear how', async () => {
    const { fake, store } = setup({ 'jobs:list': running(null) });
    await settle();
    expect(store.importing).toBe(true);
    const lists = fake.callsOf('datasets:list').length;
    fake.emit('jobs:state', { jobId: 'imp-live', kind: 'import', state: 'done' });
    await settle();
    expect(store.importing).toBe(false);
    expect(fake.callsOf('datasets:list').length).toBe(lists + 1);
  });
});
