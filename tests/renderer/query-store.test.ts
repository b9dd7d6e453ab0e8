import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useQueryStore } from '../../src-renderer/src/stores/query.ts';
import { fakeApi, fakeFrames, type FakeHandlers } from './fake-api.ts';
import { queryResponse } from './fixtures.ts';

function setup(handlers: FakeHandlers = {}) {
  const fake = fakeApi({
    'query:run': () => queryResponse(),
    'feedback:mark': () => undefined,
    'dialog:pickImage': () => '/home/ana/cases/acme-fake.jpg',
    ...handlers,
  });
  provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
  setActivePinia(createPinia());
  return { fake, store: useQueryStore() };
}

describe('query store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('asks for an image before sending a query', async () => {
    const { fake, store } = setup();
    await store.run();
    expect(store.error?.code).toBe('NO_IMAGE');
    expect(fake.callsOf('query:run')).toEqual([]);
  });

  it('sends the uploaded bytes with the chosen run, dataset and side, and starts tau at the run\'s', async () => {
    const { fake, store } = setup();
    store.setImage({ bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, 'logo.png', 'blob:preview');
    store.runId = 7;
    store.datasetId = 1;
    store.side = 'left';
    await store.run();
    expect(fake.callsOf('query:run')).toEqual([{ image: { bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, runId: 7, datasetId: 1, side: 'left', top: 10 }]);
    expect(store.tau).toBe(0.6);
    expect(store.hits.map((h) => h.match)).toEqual([true, true, false, false]);
  });

  it('flips match badges as tau moves, without a new request', async () => {
    const { fake, store } = setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    store.tau = 0.4;
    expect(store.hits.map((h) => h.match)).toEqual([true, true, true, false]);
    store.tau = 0.95;
    expect(store.hits.map((h) => h.match)).toEqual([false, false, false, false]);
    expect(fake.callsOf('query:run').length).toBe(1);
  });

  it('uses the native dialog\'s path when there is one', async () => {
    const { fake, store } = setup();
    expect(await store.pickImage()).toBe(true);
    expect(store.imageLabel).toBe('acme-fake.jpg');
    await store.run();
    expect(fake.callsOf('query:run')[0]).toMatchObject({ image: { path: '/home/ana/cases/acme-fake.jpg' } });
  });

  it('reports a server that cannot query yet by its code', async () => {
    const { store } = setup({ 'query:run': undefined });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(store.error?.code).toBe('NOT_IMPLEMENTED');
    expect(store.loading).toBe(false);
  });

  it('marks a result, shows the mark, and clears it when marked the same again', async () => {
    const { fake, store } = setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    await store.mark(store.hits[0], 'match');
    expect(store.hits[0].feedback).toBe('match');
    await store.mark(store.hits[0], 'match');
    expect(store.hits[0].feedback).toBeNull();
    expect(store.hits[3].feedback).toBe('not-a-match');
    await store.mark(store.hits[3], 'match');
    expect(store.hits[3].feedback).toBe('match');
    expect(fake.callsOf('feedback:mark')).toEqual([
      { querySha256: 'abc123', resultImageId: 100, verdict: 'match', runId: 7 },
      { querySha256: 'abc123', resultImageId: 100, verdict: null, runId: 7 },
      { querySha256: 'abc123', resultImageId: 103, verdict: 'match', runId: 7 },
    ]);
  });

  it('keeps the old mark and says why when marking fails', async () => {
    const { store } = setup({ 'feedback:mark': undefined });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    await store.mark(store.hits[0], 'not-a-match');
    expect(store.hits[0].feedback).toBeNull();
    expect(store.markError?.code).toBe('NOT_IMPLEMENTED');
  });
});
