import { describe, expect, it } from 'vitest';
import { JobRunner, type JobOutcome } from '../../src-main/handlers/job-runner.ts';

/** A job whose end the test decides: resolve/reject by hand, or it ends when cancelled (as services do). */
function controllable<R>() {
  let resolve!: (v: R) => void;
  let reject!: (e: unknown) => void;
  let signal!: AbortSignal;
  let started = false;
  const run = (job: { signal: AbortSignal }) => {
    started = true;
    signal = job.signal;
    return new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
      job.signal.addEventListener('abort', () => setTimeout(() => rej(Object.assign(new Error('stopped between batches'), { name: 'AbortError' })), 5));
    });
  };
  return { run, resolve: (v: R) => resolve(v), reject: (e: unknown) => reject(e), get started() { return started; }, get signal() { return signal; } };
}

function recorder() {
  const ends: Array<{ jobId: string; outcome: JobOutcome<unknown> }> = [];
  const states: string[] = [];
  let n = 0;
  const runner = new JobRunner({ onState: (c) => states.push(`${c.jobId}:${c.state}`), newId: () => `j${++n}`, now: () => new Date('2026-12-01T10:00:00Z') });
  const end = (outcome: JobOutcome<unknown>, jobId: string) => ends.push({ jobId, outcome });
  return { runner, ends, states, end };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('JobRunner', () => {
  it('gives a job an id, lists it with what it is about and its last progress, and ends it once as done', async () => {
    const { runner, ends, states, end } = recorder();
    const job = controllable<string>();
    const id = runner.start({
      kind: 'import',
      about: { folder: '/data/brands' },
      run: (c) => {
        c.progress({ phase: 'decode', done: 3, total: 10 } as never);
        return job.run(c);
      },
      end,
    });
    expect(id).toBe('j1');
    expect(runner.list()).toEqual([
      { jobId: 'j1', kind: 'import', state: 'running', createdAt: '2026-12-01T10:00:00.000Z', startedAt: '2026-12-01T10:00:00.000Z', about: { folder: '/data/brands' }, progress: { phase: 'decode', done: 3, total: 10 } },
    ]);
    job.resolve('imported');
    await tick();
    expect(ends).toEqual([{ jobId: 'j1', outcome: { state: 'done', value: 'imported' } }]);
    expect(runner.list()).toEqual([]);
    expect(states).toEqual(['j1:queued', 'j1:running', 'j1:done']);
    expect(runner.cancel('j1')).toBe(false);
  });

  it('reports a failure with its code, and a job cancelled while running as cancelled (its signal aborted)', async () => {
    const { runner, ends, end } = recorder();
    const a = controllable();
    const b = controllable();
    runner.start({ kind: 'query', about: {}, run: a.run, end });
    runner.start({ kind: 'query', about: {}, run: b.run, end });
    a.reject(Object.assign(new Error('no finished run to query with'), { code: 'NO_RUN' }));
    expect(runner.cancel('j2')).toBe(true);
    expect(b.signal.aborted).toBe(true);
    await tick();
    expect(ends).toEqual([
      { jobId: 'j1', outcome: { state: 'failed', error: { code: 'NO_RUN', message: 'no finished run to query with' } } },
      { jobId: 'j2', outcome: { state: 'cancelled', error: { code: 'CANCELLED', message: 'stopped between batches' } } },
    ]);
  });

  it('runs the jobs of a lane one after another: the next waits as queued, cancellable, and starts when the first ends', async () => {
    const { runner, ends, states, end } = recorder();
    const first = controllable<{ status: string }>();
    const second = controllable<{ status: string }>();
    const third = controllable<{ status: string }>();
    const spec = (job: ReturnType<typeof controllable<{ status: string }>>, runId: number) => ({
      kind: 'training' as const,
      lane: 'training',
      about: { runId },
      run: job.run,
      settledAs: (run: { status: string }) => (run.status === 'cancelled' ? ('cancelled' as const) : ('done' as const)),
      end,
    });
    runner.start(spec(first, 1));
    runner.start(spec(second, 2));
    runner.start(spec(third, 3));
    expect(runner.list().map((j) => [j.jobId, j.state, j.startedAt === null])).toEqual([['j1', 'running', false], ['j2', 'queued', true], ['j3', 'queued', true]]);
    expect([first.started, second.started, third.started]).toEqual([true, false, false]);

    runner.cancel('j2');
    expect(second.started).toBe(false);
    expect(ends).toEqual([{ jobId: 'j2', outcome: { state: 'cancelled', error: { code: 'CANCELLED', message: 'cancelled' } } }]);

    first.resolve({ status: 'done' });
    await tick();
    expect(third.started).toBe(true);
    expect(runner.list().map((j) => [j.jobId, j.state])).toEqual([['j3', 'running']]);
    // A training that stops on cancel returns its run: the outcome says cancelled and still carries the run.
    runner.cancel('j3');
    third.resolve({ status: 'cancelled' });
    await tick();
    expect(ends.at(-1)).toEqual({ jobId: 'j3', outcome: { state: 'cancelled', value: { status: 'cancelled' }, error: { code: 'CANCELLED', message: 'cancelled' } } });
    expect(states).toEqual(['j1:queued', 'j1:running', 'j2:queued', 'j3:queued', 'j2:cancelled', 'j1:done', 'j3:running', 'j3:cancelled']);
  });

  it('dispose() cancels every job, starts no queued one, waits until each has ended, then refuses new jobs', async () => {
    const { runner, ends, end } = recorder();
    const running = controllable();
    const queued = controllable();
    const other = controllable();
    runner.start({ kind: 'training', lane: 'training', about: {}, run: running.run, end });
    runner.start({ kind: 'training', lane: 'training', about: {}, run: queued.run, end });
    runner.start({ kind: 'import', about: {}, run: other.run, end });
    let disposed = false;
    const disposing = runner.dispose().then(() => (disposed = true));
    expect(disposed).toBe(false);
    await disposing;
    expect(queued.started).toBe(false);
    expect(ends.map((e) => [e.jobId, e.outcome.state]).sort()).toEqual([['j1', 'cancelled'], ['j2', 'cancelled'], ['j3', 'cancelled']]);
    expect(runner.list()).toEqual([]);
    expect(() => runner.start({ kind: 'query', about: {}, run: async () => 1, end })).toThrow(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
  });

  it('a job that throws at once still ends, as failed, and list() hands out copies', async () => {
    const { runner, ends, end } = recorder();
    runner.start({
      kind: 'query',
      about: { runId: 4 },
      run: () => {
        throw Object.assign(new Error('bad request'), { code: 'BAD_ARGUMENT' });
      },
      end,
    });
    await tick();
    expect(ends).toEqual([{ jobId: 'j1', outcome: { state: 'failed', error: { code: 'BAD_ARGUMENT', message: 'bad request' } } }]);
    const keep = controllable();
    runner.start({ kind: 'query', about: { runId: 5 }, run: keep.run, end });
    runner.list()[0].about.runId = 99;
    expect(runner.list()[0].about.runId).toBe(5);
    await runner.dispose();
  });
});
