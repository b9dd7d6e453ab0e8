import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useQueryStore } from '../../src-renderer/src/stores/query.ts';
import { useRunsStore } from '../../src-renderer/src/stores/runs.ts';
import { memoryStorage, type StorageLike } from '../../src-renderer/src/lib/tau-memory.ts';
import type { RunMetrics } from '../../src-shared/query-types.ts';
import { MIN_CALIBRATION_PAIRS, uncalibrated } from '../../src-shared/calibration-policy.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';
import { coded, fakeApi, fakeFrames, settle, type FakeHandlers } from './fake-api.ts';
import { pairRow, queryResponse, runSummary } from './fixtures.ts';

const scores = (queries: number, r1 = 0.5) => ({ queries, gallery: queries, recall: { '1': r1, '5': 1, '10': 1 }, mrr: 0.6, rocAuc: 0.8 });
/**
 * Metrics of a run with `valPairs` val pairs and test Recall@1 `r1`, as the trainer stores them: calibrated (tau 0.6)
 * from MIN_CALIBRATION_PAIRS val pairs on, uncalibrated without tau below; `uncal` forces uncalibrated.
 */
const metrics = (valPairs: number, r1: number, uncal = false): RunMetrics => {
  const calibrated = valPairs >= MIN_CALIBRATION_PAIRS && !uncal;
  return {
    test: scores(6, r1),
    val: scores(valPairs),
    tau: calibrated ? 0.6 : null,
    calibration: calibrated ? { ...uncalibrated(valPairs), state: 'calibrated', rule: 'open-set', falseMatchRate: 0.05, trueMatchRate: 0.8, valFalseMatchRate: 0.05, valTrueMatchRate: 0.85 } : uncalibrated(valPairs),
  };
};
/** Run 7 (the fixture response's) is calibrated on 24 val pairs. */
const calibrated7 = () => runSummary(7, { metrics: metrics(24, 0.5) });

async function setup(handlers: FakeHandlers = {}, runs: RunSummary[] = [calibrated7()], storage: StorageLike = memoryStorage()) {
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
    'runs:list': () => runs,
    'datasets:pairs': () => [pairRow(1), { ...pairRow(2), left: { ...pairRow(2).left, imageId: 101 } }],
    ...handlers,
  });
  provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule, storage });
  setActivePinia(createPinia());
  await useRunsStore().refresh();
  return { fake, store: useQueryStore(), storage };
}

describe('query store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('asks for an image before sending a query', async () => {
    const { fake, store } = await setup();
    await store.run();
    expect(store.error?.code).toBe('NO_IMAGE');
    expect(fake.callsOf('query:start')).toEqual([]);
  });

  it('sends the uploaded bytes with the chosen run, dataset and side, and starts at the run\'s calibrated tau', async () => {
    const { fake, store } = await setup();
    store.setImage({ bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, 'logo.png', 'blob:preview');
    store.runId = 7;
    store.datasetId = 1;
    store.side = 'left';
    await store.run();
    expect(fake.callsOf('query:start')).toEqual([{ image: { bytesBase64: 'iVBORw0KGgo=', name: 'logo.png' }, runId: 7, datasetId: 1, side: 'left', top: 10 }]);
    expect(store.tau).toBe(0.6);
    expect(store.tauSource).toBe('run');
    expect(store.hits.map((h) => h.match)).toEqual([true, true, false, false]);
  });

  it('flips match badges as tau moves, without a new request', async () => {
    const { fake, store } = await setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    store.tau = 0.4;
    expect(store.hits.map((h) => h.match)).toEqual([true, true, true, false]);
    store.tau = 0.95;
    expect(store.hits.map((h) => h.match)).toEqual([false, false, false, false]);
    expect(fake.callsOf('query:start').length).toBe(1);
  });

  it('by default queries the best calibrated run of the dataset, not the newest', async () => {
    const runs = [
      runSummary(9, { metrics: metrics(24, 0.9, true) }), // newest, best R@1, no tau
      runSummary(8, { metrics: metrics(6, 0.8) }), // uncalibrated: too few val pairs (the sample's 6)
      runSummary(7, { metrics: metrics(24, 0.5) }),
      runSummary(6, { metrics: metrics(24, 0.6) }), // the best calibrated one
      runSummary(5, { metrics: metrics(20, 0.99), datasetId: 2, datasetName: 'other' }),
      runSummary(4, { metrics: metrics(20, 0.99), status: 'cancelled' }),
    ];
    const { fake, store } = await setup({}, runs);
    store.datasetId = 1;
    store.setImage({ path: '/x.png' }, 'x.png');
    expect(store.defaultRun?.run.id).toBe(6);
    expect(store.defaultRun?.calibrated).toBe(true);
    await store.run();
    expect(fake.callsOf('query:start')[0]).toMatchObject({ runId: 6 });
    store.datasetId = 2;
    expect(store.defaultRun?.run.id).toBe(5);
  });

  it('falls back to the best uncalibrated run and says so when none of the dataset is calibrated', async () => {
    const { store } = await setup({}, [runSummary(3, { metrics: metrics(1, 0.2) }), runSummary(2, { metrics: null })]);
    expect(store.defaultRun).toMatchObject({ run: { id: 3 }, calibrated: false });
  });

  it('shows no match badges for a run without a calibrated tau until the user sets one, and keeps it per run', async () => {
    const storage = memoryStorage();
    const uncalibratedRun = runSummary(7, { metrics: metrics(1, 0.5) });
    const { store } = await setup({}, [uncalibratedRun], storage);
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(store.calibration).toMatchObject({ state: 'none', tau: null, pairs: 1 });
    expect(store.tau).toBeNull();
    expect(store.hits.map((h) => h.match)).toEqual([null, null, null, null]);
    store.setTau(0.8);
    expect(store.tauSource).toBe('user');
    expect(store.hits.map((h) => h.match)).toEqual([true, false, false, false]);

    // A reloaded page (new stores, same storage) remembers the threshold of that run.
    const again = await setup({}, [uncalibratedRun], storage);
    again.store.setImage({ path: '/y.png' }, 'y.png');
    await again.store.run();
    expect(again.store.tau).toBe(0.8);
    // ...but a run of another catalog that reuses the id does not inherit it.
    const other = await setup({}, [{ ...uncalibratedRun, createdAt: '2025-01-01T00:00:00.000Z' }], storage);
    other.store.setImage({ path: '/y.png' }, 'y.png');
    await other.store.run();
    expect(other.store.tau).toBeNull();
  });

  it('goes back to the run\'s calibrated tau when the user clears theirs', async () => {
    const { store } = await setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    store.setTau(0.3);
    expect(store.tau).toBe(0.3);
    store.setTau(null);
    expect(store.tau).toBe(0.6);
    expect(store.tauSource).toBe('run');
  });

  it('clears the previous image\'s results, marks and compare as soon as a new image is chosen', async () => {
    const { store } = await setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    await store.mark(store.hits[0], 'match');
    await store.openCompare(store.hits[0]);
    expect(store.hits.length).toBe(4);
    store.setImage({ path: '/y.png' }, 'y.png');
    expect(store.response).toBeNull();
    expect(store.hits).toEqual([]);
    expect(store.marks).toEqual({});
    expect(store.compareHit).toBeNull();
  });

  it('stops the query still running for the previous image, and never shows its answer', async () => {
    const { fake, store } = await setup({ 'query:start': () => ({ jobId: 'slow' }) });
    store.setImage({ path: '/x.png' }, 'x.png');
    const pending = store.run();
    await settle();
    expect(store.loading).toBe(true);
    store.setImage({ path: '/y.png' }, 'y.png');
    await pending;
    await settle();
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'slow' }]);
    fake.emit('query:done', { jobId: 'slow', response: queryResponse() });
    expect(store.response).toBeNull();
    expect(store.loading).toBe(false);
  });

  it('replaces the results with the error when a query fails', async () => {
    let fail = false;
    let next = 0;
    const { fake, store } = await setup({
      'query:start': () => {
        const jobId = `q${++next}`;
        setTimeout(() => {
          if (fail) fake.emit('query:failed', { jobId, error: { code: 'NO_CHECKPOINT', message: 'run 7 has no checkpoint' } });
          else fake.emit('query:done', { jobId, response: queryResponse() });
        }, 0);
        return { jobId };
      },
    });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(store.hits.length).toBe(4);
    fail = true;
    await store.run();
    expect(store.error?.code).toBe('NO_CHECKPOINT');
    expect(store.hits).toEqual([]);
  });

  it('checks the number of results before sending', async () => {
    const { fake, store } = await setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    store.top = 0;
    expect(store.topProblem).toBeDefined();
    await store.run();
    expect(store.error?.code).toBe('BAD_QUERY');
    expect(fake.callsOf('query:start')).toEqual([]);
  });

  it('opens a result side by side with both images of its pair, found by image id', async () => {
    const { fake, store } = await setup();
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    await store.openCompare(store.hits[1]); // image 101: the left image of pair2.png in the fixture's pairs
    expect(store.compareHit?.imageId).toBe(101);
    expect(store.comparePair?.name).toBe('pair2.png');
    expect(store.comparePair?.right.imageId).toBe(5);
    store.stepCompare(-1);
    await settle();
    expect(store.compareHit?.imageId).toBe(100);
    expect(fake.callsOf('datasets:pairs')).toEqual([{ datasetId: 1 }]); // asked once per dataset
  });

  it('uses the native dialog\'s path when there is one', async () => {
    const { fake, store } = await setup();
    expect(await store.pickImage()).toBe(true);
    expect(store.imageLabel).toBe('acme-fake.jpg');
    await store.run();
    expect(fake.callsOf('query:start')[0]).toMatchObject({ image: { path: '/home/ana/cases/acme-fake.jpg' } });
  });

  it('reports a server that cannot query yet by its code', async () => {
    const { store } = await setup({ 'query:start': undefined });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(store.error?.code).toBe('NOT_IMPLEMENTED');
    expect(store.loading).toBe(false);
  });

  it('shows the embedding progress of its own query only, and the error its job ends with', async () => {
    const seen: unknown[] = [];
    const { fake, store } = await setup({
      'query:start': () => {
        setTimeout(() => {
          fake.emit('query:progress', { jobId: 'other', done: 9, total: 9 });
          fake.emit('query:progress', { jobId: 'mine', done: 64, total: 200 });
          seen.push(store.embedding);
          fake.emit('query:failed', { jobId: 'other', error: { code: 'NO_RUN', message: 'not mine' } });
          fake.emit('query:failed', { jobId: 'mine', error: { code: 'NOT_FOUND', message: 'x.png: no such file' } });
        }, 0);
        return { jobId: 'mine' };
      },
    });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    expect(seen).toEqual([{ done: 64, total: 200 }]);
    expect(store.error?.code).toBe('NOT_FOUND');
    expect(store.loading).toBe(false);
    expect(store.embedding).toBeNull();
  });

  it('cancels the running query when asked, and a new query cancels the one before; neither answer is shown', async () => {
    let next = 0;
    const { fake, store } = await setup({ 'query:start': () => ({ jobId: `slow${++next}` }) });
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
    const { fake, store } = await setup();
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
    const { store } = await setup({ 'feedback:mark': undefined });
    store.setImage({ path: '/x.png' }, 'x.png');
    await store.run();
    await store.mark(store.hits[0], 'not-a-match');
    expect(store.hits[0].feedback).toBeNull();
    expect(store.markError?.code).toBe('NOT_IMPLEMENTED');
  });
});

describe('query store after a reload', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('follows a query still running: its embedding progress, Cancel, and its answer', async () => {
    const { fake, store } = await setup({
      'jobs:list': () => [{ jobId: 'q-live', kind: 'query', state: 'running', createdAt: 't', startedAt: 't', about: { runId: 7 }, progress: { done: 30, total: 120 } }],
    });
    await settle();
    expect(store.loading).toBe(true);
    expect(store.reattached).toBe(true);
    expect(store.embedding).toEqual({ done: 30, total: 120 });
    fake.emit('query:progress', { jobId: 'q-live', done: 60, total: 120 });
    expect(store.embedding).toEqual({ done: 60, total: 120 });
    fake.emit('query:done', { jobId: 'q-live', response: queryResponse() });
    expect(store.loading).toBe(false);
    expect(store.response?.runId).toBe(7);
    expect(store.hits.length).toBeGreaterThan(0);
  });

  it('cancels the query it reattached to', async () => {
    const { fake, store } = await setup({
      'jobs:list': () => [{ jobId: 'q-live', kind: 'query', state: 'running', createdAt: 't', startedAt: 't', about: {}, progress: null }],
    });
    await settle();
    await store.cancel();
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'q-live' }]);
    expect(store.loading).toBe(false);
  });
});
