import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { watch } from 'vue';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useTrainingStore } from '../../src-renderer/src/stores/training.ts';
import { useAppStore } from '../../src-renderer/src/stores/app.ts';
import { useJobsStore } from '../../src-renderer/src/stores/jobs.ts';
import type { JobInfo } from '../../src-shared/job-types.ts';
import { coded, fakeApi, fakeFrames, settle, type FakeHandlers } from './fake-api.ts';
import { epochRow, runSummary } from './fixtures.ts';

function setup(handlers: FakeHandlers = {}, now?: () => number) {
  let next = 0;
  const fake = fakeApi({
    'training:start': () => ({ jobId: `job${++next}`, state: 'running' as const }),
    'training:resume': () => ({ jobId: `job${++next}`, state: 'running' as const }),
    'training:cancel': () => undefined,
    'runs:list': () => [],
    ...handlers,
  });
  const frames = fakeFrames();
  provideStoreDeps({ api: fake.api, scheduleFrame: frames.schedule, now });
  setActivePinia(createPinia());
  return { fake, frames, store: useTrainingStore() };
}

const progress = (batch: number) => ({ phase: 'train' as const, epoch: 1, epochs: 2, batch, batches: 50, loss: 1 / batch, etaSeconds: 50 - batch });

describe('training store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('applies a burst of progress events as one update on the next frame', async () => {
    const { fake, frames, store } = setup();
    await store.start(1, { epochs: 2 });
    let updates = 0;
    watch(() => store.progress, () => updates++, { flush: 'sync' });
    for (let b = 1; b <= 50; b++) fake.emit('training:progress', { jobId: 'job1', progress: progress(b) });
    expect(store.progress).toBeNull();
    expect(frames.waiting).toBe(1);
    frames.tick();
    expect(updates).toBe(1);
    expect(store.progress).toEqual(progress(50));
    expect(store.status).toBe('running');
  });

  it('adds a chart point per epoch event, in one array per frame', async () => {
    const { fake, frames, store } = setup();
    await store.start(1, {});
    let updates = 0;
    watch(() => store.epochs, () => updates++, { flush: 'sync' });
    fake.emit('training:epoch', { jobId: 'job1', runId: 3, row: epochRow(1) });
    fake.emit('training:epoch', { jobId: 'job1', runId: 3, row: epochRow(2) });
    frames.tick();
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    fake.emit('training:epoch', { jobId: 'job1', runId: 3, row: epochRow(3) });
    frames.tick();
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(updates).toBe(2);
  });

  it('ignores the events of a job it no longer shows', async () => {
    const { fake, frames, store } = setup();
    await store.start(1, {});
    store.dismiss();
    await store.start(1, { epochs: 3 });
    fake.emit('training:progress', { jobId: 'job1', progress: progress(9) });
    fake.emit('training:epoch', { jobId: 'job1', runId: 1, row: epochRow(1) });
    fake.emit('training:failed', { jobId: 'job1', error: { code: 'INTERNAL', message: 'old job broke' } });
    frames.tick();
    expect(store.progress).toBeNull();
    expect(store.epochs).toEqual([]);
    expect(store.status).toBe('running');
    expect(store.error).toBeNull();

    store.dismiss();
    fake.emit('training:progress', { jobId: 'job2', progress: progress(4) });
    frames.tick();
    expect(store.progress).toBeNull();
    expect(store.status).toBe('idle');
  });

  it('keeps events that arrive before the start request answers', async () => {
    let fake!: ReturnType<typeof fakeApi>;
    const { frames, store, fake: f } = setup({
      'training:start': () => {
        // The worker is quick: these leave before the reply does.
        fake.emit('training:run', { jobId: 'early', runId: 11 });
        fake.emit('training:progress', { jobId: 'early', progress: progress(1) });
        fake.emit('training:progress', { jobId: 'someone-else', progress: progress(40) });
        return { jobId: 'early', state: 'running' as const };
      },
    });
    fake = f;
    await store.start(1, {});
    frames.tick();
    expect(store.runId).toBe(11);
    expect(store.progress).toEqual(progress(1));
  });

  it('refreshes the run history when the run appears and after each epoch, once per frame', async () => {
    const { fake, frames, store } = setup();
    await store.start(1, {});
    await settle();
    const before = fake.callsOf('runs:list').length;
    fake.emit('training:run', { jobId: 'job1', runId: 8 });
    fake.emit('training:progress', { jobId: 'job1', progress: progress(1) });
    frames.tick();
    expect(fake.callsOf('runs:list').length).toBe(before + 1);
    fake.emit('training:progress', { jobId: 'job1', progress: progress(2) });
    frames.tick();
    expect(fake.callsOf('runs:list').length).toBe(before + 1);
    fake.emit('training:epoch', { jobId: 'job1', runId: 8, row: epochRow(1) });
    fake.emit('training:epoch', { jobId: 'job1', runId: 8, row: epochRow(2) });
    frames.tick();
    expect(fake.callsOf('runs:list').length).toBe(before + 2);
  });

  it('ends with the run on training:done, the queued points included, and refreshes the run list', async () => {
    const { fake, frames, store } = setup();
    await store.start(1, {});
    await settle();
    const listsBefore = fake.callsOf('runs:list').length;
    fake.emit('training:epoch', { jobId: 'job1', runId: 5, row: epochRow(1) });
    fake.emit('training:done', { jobId: 'job1', run: runSummary(5) });
    expect(store.status).toBe('done');
    expect(store.result?.id).toBe(5);
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    frames.tick();
    await settle();
    expect(fake.callsOf('runs:list').length).toBe(listsBefore + 1);
  });

  it('puts a failure with its code in store.error, and a cancel is not an error', async () => {
    const { fake, store } = setup();
    await store.start(1, {});
    fake.emit('training:failed', { jobId: 'job1', error: { code: 'OUT_OF_MEMORY', message: 'no memory left' } });
    expect(store.status).toBe('failed');
    expect(store.error).toEqual({ code: 'OUT_OF_MEMORY', message: 'no memory left' });

    await store.start(1, {});
    expect(store.error).toBeNull();
    await store.cancel();
    expect(store.status).toBe('cancelling');
    expect(fake.callsOf('training:cancel')).toEqual([{ jobId: 'job2' }]);
    // What the trainer really sends: the run, done with the epochs it finished, status cancelled.
    fake.emit('training:done', { jobId: 'job2', run: runSummary(7, { status: 'cancelled', epochs: [epochRow(1)] }) });
    expect(store.status).toBe('cancelled');
    expect(store.error).toBeNull();
    // And a cancel that lands before the run exists (the backbone still loading) comes as CANCELLED.
    await store.start(1, {});
    await store.cancel();
    fake.emit('training:failed', { jobId: 'job3', error: { code: 'CANCELLED', message: 'training cancelled' } });
    expect(store.status).toBe('cancelled');
  });

  it('shows a refused start with the code the server gave', async () => {
    const { store } = setup({
      'training:start': () => {
        throw coded('BAD_TRAIN_CONFIG', '--lr must be between 0 and 1, not 3');
      },
    });
    await store.start(1, { learningRate: 3 });
    expect(store.status).toBe('failed');
    expect(store.error?.code).toBe('BAD_TRAIN_CONFIG');
    expect(store.error?.message).toContain('--lr');
    expect(store.active).toBe(false);
  });

  it('resumes a run with its finished epochs on the chart at once', async () => {
    const { fake, frames, store } = setup({ 'runs:get': ({ runId }) => runSummary(runId, { status: 'cancelled', epochs: [epochRow(1), epochRow(2)] }) });
    await store.resume(4);
    expect(fake.callsOf('training:resume')).toEqual([{ runId: 4 }]);
    expect(store.runId).toBe(4);
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    fake.emit('training:epoch', { jobId: 'job1', runId: 4, row: epochRow(3) });
    frames.tick();
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });
});

describe('training store after a reload', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('reattaches to the running training from jobs:list: its progress, its finished epochs, its next events, Cancel', async () => {
    const { fake, frames, store } = setup({
      'jobs:list': () => [
        { jobId: 'q1', kind: 'query', state: 'running', createdAt: 't', startedAt: 't', about: {}, progress: null },
        { jobId: 'live', kind: 'training', state: 'running', createdAt: 't', startedAt: 't', about: { datasetId: 1, runId: 5 }, progress: progress(3) },
      ],
      'runs:get': () => runSummary(5, { status: 'running', epochs: [epochRow(1)] }),
    });
    await settle();
    expect(store.status).toBe('running');
    expect(store.runId).toBe(5);
    expect(store.progress).toEqual(progress(3));
    expect(store.epochs.map((e) => e.epoch)).toEqual([1]);
    fake.emit('training:epoch', { jobId: 'other', runId: 9, row: epochRow(7) });
    fake.emit('training:epoch', { jobId: 'live', runId: 5, row: epochRow(2) });
    frames.tick();
    expect(store.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    await store.cancel();
    expect(fake.callsOf('training:cancel')).toEqual([{ jobId: 'live' }]);
  });

  it('stays idle when nothing trains (or the server has no jobs:list)', async () => {
    const { store } = setup({ 'jobs:list': () => [] });
    await settle();
    expect(store.status).toBe('idle');
    const older = setup();
    await settle();
    expect(older.store.status).toBe('idle');
  });
});

const job = (jobId: string, state: 'queued' | 'running', about: JobInfo['about'] = {}): JobInfo => ({
  jobId, kind: 'training', state, createdAt: '2026-01-01T00:00:00Z', startedAt: state === 'running' ? 't' : null, about, progress: null,
});

describe('training store with a queue', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('queues a start sent while one trains, and keeps showing the one that trains', async () => {
    let queue: JobInfo[] = [];
    const { fake, frames, store } = setup({
      'training:start': ({ request }) => {
        if (request.epochs === 9) {
          queue = [job('job1', 'running'), job('job2', 'queued', { datasetId: 1 })];
          return { jobId: 'job2', state: 'queued' as const };
        }
        return { jobId: 'job1', state: 'running' as const };
      },
      'jobs:list': () => queue,
    });
    await store.start(1, { epochs: 2 });
    fake.emit('training:progress', { jobId: 'job1', progress: progress(5) });
    frames.tick();
    await store.start(1, { epochs: 9 });
    await settle();
    expect(fake.callsOf('training:start')).toHaveLength(2);
    expect(store.status).toBe('running');
    expect(store.progress).toEqual(progress(5));
    expect(useJobsStore().queuedTrainings.map((j) => j.jobId)).toEqual(['job2']);
  });

  it('follows the next training when the one it showed ends and the queued one begins', async () => {
    const { fake, frames, store } = setup({ 'jobs:list': () => [] });
    await store.start(1, {});
    fake.emit('training:done', { jobId: 'job1', run: runSummary(5) });
    expect(store.status).toBe('done');
    fake.emit('jobs:state', { jobId: 'job1', kind: 'training', state: 'done' });
    fake.emit('jobs:state', { jobId: 'job2', kind: 'training', state: 'running' });
    expect(store.status).toBe('running');
    expect(store.jobId).toBe('job2');
    fake.emit('training:progress', { jobId: 'job2', progress: progress(2) });
    frames.tick();
    expect(store.progress).toEqual(progress(2));
  });

  it('after a reload shows a queued training as queued, cancellable, then running when it begins', async () => {
    const { fake, frames, store } = setup({ 'jobs:list': () => [job('waiting', 'queued', { datasetId: 1 })] });
    await settle();
    expect(store.status).toBe('queued');
    expect(store.active).toBe(true);
    fake.emit('jobs:state', { jobId: 'waiting', kind: 'training', state: 'running' });
    expect(store.status).toBe('running');
    fake.emit('training:progress', { jobId: 'waiting', progress: progress(1) });
    frames.tick();
    expect(store.progress).toEqual(progress(1));
    await store.cancel();
    expect(fake.callsOf('training:cancel')).toEqual([{ jobId: 'waiting' }]);
  });

  it('settles from jobs:state and the run when the end event came before the reattach', async () => {
    const { fake, store } = setup({
      'jobs:list': () => [job('live', 'running', { runId: 5 })],
      'runs:get': () => runSummary(5, { status: 'done', epochs: [epochRow(1)] }),
    });
    await settle();
    expect(store.status).toBe('running');
    fake.emit('jobs:state', { jobId: 'live', kind: 'training', state: 'done' });
    await settle();
    expect(store.status).toBe('done');
    expect(store.result?.id).toBe(5);
    expect(store.active).toBe(false);
  });

  it('puts up a notice when a run finishes while another view is open, and none on the training view', async () => {
    const { fake, store } = setup();
    const app = useAppStore();
    app.view = 'query';
    await store.start(1, {});
    fake.emit('training:done', { jobId: 'job1', run: runSummary(5, { metrics: null }) });
    expect(app.notices).toHaveLength(1);
    expect(app.notices[0]).toMatchObject({ kind: 'done', open: { view: 'run', runId: 5 } });
    expect(app.notices[0].text).toMatch(/^Training run #5 on .+ finished after \d+ epochs?\.$/);
    app.view = 'train';
    await store.start(1, {});
    fake.emit('training:done', { jobId: 'job2', run: runSummary(6) });
    expect(app.notices).toHaveLength(1);
    app.dismissNotice(app.notices[0].id);
    expect(app.notices).toEqual([]);
  });

  it('says a failure out of sight in the user’s words, with a way back to the training view', async () => {
    const { fake, store } = setup();
    const app = useAppStore();
    app.view = 'runs';
    await store.start(1, {});
    fake.emit('training:failed', { jobId: 'job1', error: { code: 'BAD_TRAIN_CONFIG', message: '--lr must be between 0 and 1, not 3' } });
    expect(app.notices).toHaveLength(1);
    expect(app.notices[0]).toMatchObject({ kind: 'failed', open: { view: 'train' } });
    expect(app.notices[0].text).toMatch(/^Training failed: /);
    expect(app.notices[0].text).not.toContain('--');
  });

  it('estimates the feature extraction’s time left from the rate of its own progress events', async () => {
    let t = 0;
    const { fake, frames, store } = setup({}, () => t);
    await store.start(1, {});
    const features = (done: number) => ({ phase: 'features' as const, done, total: 1000 });
    fake.emit('training:progress', { jobId: 'job1', progress: features(100) }); // 100 cached
    frames.tick();
    expect(store.extraction).toEqual({ done: 100, total: 1000, etaSeconds: null });
    t += 10_000;
    fake.emit('training:progress', { jobId: 'job1', progress: features(300) });
    frames.tick();
    // 200 images in 10 s: the 700 left take 35 s.
    expect(store.extraction).toEqual({ done: 300, total: 1000, etaSeconds: 35 });
    fake.emit('training:progress', { jobId: 'job1', progress: progress(1) });
    frames.tick();
    expect(store.extraction).toBeNull();
  });
});
