import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useQueryStore } from '../../src-renderer/src/stores/query.ts';
import { fakeApi, fakeFrames, settle, type FakeHandlers } from './fake-api.ts';
import { queryResponse } from './fixtures.ts';

function setup(handlers: FakeHandlers = {}) {
  let next = 0;
  // As the services do: the start answers with an id, the answer follows as an event of that id.
  const fake = fakeApi({
    'query:start': () => {
      const jobId = `q${++next}`;
      setTimeout(() => fake.emit('query:done', { jobId, response: queryResponse() }), 0);
      return { jobId };
    },
    'jobs:cancel': () => undefined,
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
    expect(fake.callsOf('query:start')).toEqual([]);
  });

  it('sends the uploaded bytes with the chosen run, dataset and side, and starts tau at the run\'s', async () => {
    const { fake, store } = setup();
    store.setImage({ bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, 'logo.png', 'blob:preview');
    store.runId = 7;
    store.datasetId = 1;
    store.side = 'left';
    await store.run();
    expect(fake.callsOf('query:start')).toEqual([{ image: { bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, runId: 7, datasetId: 1, side: 'left', top: 10 }]);
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
    expect(fake.callsOf('query:start').length).toBe(1);
  });

  it('uses the native dialog\'s path when there is one', async () => {
    const { fake, store } = setup();
    expect(await store.pickImage()).toBe(true);
    expect(store.imageLabel).toBe('acme-fake.jpg');
    await store.run();
    expect(fake.callsOf('query:start')[0]).toMatchObject({ image: { path: '/home/ana/cases/acme-fake.jpg' } });
  });

  it('reports a server that cannot query yet by its code', async () => {
    const { store } = setup({ 'query:start': undefined });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(store.error?.code).toBe('NOT_IMPLEMENTED');
    expect(store.loading).toBe(false);
  });

  it('shows the embedding progress of its own query only, and the error its job ends with', async () => {
    const { fake, store } = setup({
      'query:start': () => {
        setTimeout(() => {
          fake.emit('query:progress', { jobId: 'other', done: 9, total: 9 });
          fake.emit('query:progress', { jobId: 'mine', done: 64, total: 200 });
          seen.push(store.embedding);
          fake.emit('query:failed', { jobId: 'other', error: { code: 'NO_RUN', message: 'not mine' } });
          fake.emit('query:failed', { jobId: 'mine', error: { code: 'QUERY_IMAGE_UNUSABLE', message: 'x.png: no such file' } });
        }, 0);
        return { jobId: 'mine' };
      },
    });
    const seen: unknown[] = [];
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(seen).toEqual([{ done: 64, total: 200 }]);
    expect(store.error?.code).toBe('QUERY_IMAGE_UNUSABLE');
    expect(store.loading).toBe(false);
    expect(store.embedding).toBeNull();
  });

  it('cancels the running query when asked, and a new query cancels the one before; neither answer is shown', async () => {
    let next = 0;
    const { fake, store } = setup({ 'query:start': () => ({ jobId: `slow${++next}` }) });
    store.setImage({ path: '/x.png' }, 'x.png');
    const first = store.run();
    await settle();
    expect(store.loading).toBe(true);
    const second = store.run();
    await first;
    await settle();
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'slow1' }]);
    fake.emit('query:done', { jobId: 'slow1', response: queryResponse() });
    expect(store.response).toBeNull();
    await store.cancel();
    await second;
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'slow1' }, { jobId: 'slow2' }]);
    fake.emit('query:done', { jobId: 'slow2', response: queryResponse() });
    expect(store.response).toBeNull();
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
