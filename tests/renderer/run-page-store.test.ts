import { describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps } from '../../src-renderer/src/stores/store-deps.ts';
import { useRunPageStore } from '../../src-renderer/src/stores/run-page.ts';
import type { JobInfo } from '../../src-shared/job-types.ts';
import { fakeApi, fakeFrames, settle, type FakeHandlers } from './fake-api.ts';

function setup(handlers: FakeHandlers = {}) {
  const fake = fakeApi({ 'jobs:cancel': () => undefined, ...handlers });
  const frames = fakeFrames();
  provideStoreDeps({ api: fake.api, scheduleFrame: frames.schedule });
  setActivePinia(createPinia());
  return { fake, frames, store: useRunPageStore() };
}

const exporting = (runId: number): JobInfo[] => [
  { jobId: 'other', kind: 'run-task', state: 'running', createdAt: 't', startedAt: 't', about: { runId: 99, task: 'evaluate' }, progress: null },
  { jobId: 'exp-1', kind: 'run-task', state: 'running', createdAt: 't', startedAt: 't', about: { runId, task: 'export' }, progress: { step: 'embedding', done: 3, total: 40 } },
];

describe('run page store after a reload', () => {
  it("reattaches to this run's running export: its step, progress, next events, Cancel and result", async () => {
    const { fake, frames, store } = setup({ 'jobs:list': () => exporting(7) });
    store.open(7);
    await settle();
    expect(store.running).toBe('export');
    expect(store.progress).toEqual({ step: 'embedding', done: 3, total: 40 });
    fake.emit('runs:taskProgress', { jobId: 'other', step: 'x', done: 1, total: 1 });
    fake.emit('runs:taskProgress', { jobId: 'exp-1', step: 'embedding', done: 4, total: 40 });
    frames.tick();
    expect(store.progress).toEqual({ step: 'embedding', done: 4, total: 40 });
    await store.cancel();
    expect(fake.callsOf('jobs:cancel')).toEqual([{ jobId: 'exp-1' }]);
    fake.emit('runs:taskFailed', { jobId: 'exp-1', error: { code: 'CANCELLED', message: 'cancelled' } });
    expect(store.running).toBe(null);
    expect(store.error?.code).toBe('CANCELLED');
  });

  it("does not show another run's job, and stops showing one that ended before the page heard how", async () => {
    const { fake, store } = setup({ 'jobs:list': () => exporting(7) });
    store.open(8);
    await settle();
    expect(store.running).toBe(null);
    store.open(7);
    await settle();
    expect(store.running).toBe('export');
    fake.emit('jobs:state', { jobId: 'exp-1', kind: 'run-task', state: 'done' });
    expect(store.running).toBe(null);
  });
});
