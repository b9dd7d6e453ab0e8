import { randomUUID } from 'node:crypto';
import { toBridgeError, type BridgeError } from '../../src-shared/contract.ts';
import type { JobAbout, JobInfo, JobKind, JobProgressOf, JobState } from '../../src-shared/job-types.ts';

/** What a running job's code gets: its id, the signal that cancels it, and where to report. */
export interface JobControl<K extends JobKind> {
  readonly jobId: string;
  /** Aborted by cancel(id) and dispose(); pass it down to the service. */
  readonly signal: AbortSignal;
  /** Records the newest progress, for `jobs:list` (the caller still emits its own progress event). */
  progress(p: JobProgressOf[K]): void;
  /** Adds what became known while running (a training's run id). */
  about(more: JobAbout): void;
}

/** How a job ended, as its `end` callback hears it. */
export type JobOutcome<R> =
  | { state: 'done'; value: R }
  | { state: 'cancelled'; value?: R; error: BridgeError }
  | { state: 'failed'; value?: R; error: BridgeError };

/** One job to run. */
export interface JobSpec<K extends JobKind, R> {
  kind: K;
  about: JobAbout;
  /** Jobs of one lane run one at a time, in order; the others wait as `queued`. No lane: runs at once. */
  lane?: string;
  run(job: JobControl<K>): Promise<R>;
  /**
   * Says how a job that returned ended, when returning is not always success (a cancelled training returns its
   * run, status `cancelled`). Default: done.
   */
  settledAs?(value: R): 'done' | 'cancelled' | 'failed';
  /** Hears the outcome once, after the job has left the list (the caller emits its area's final event here). */
  end(outcome: JobOutcome<R>, jobId: string): void;
}

/** The error a start gets once the runner is shutting down. */
export const SHUTTING_DOWN = 'SHUTTING_DOWN';
const CANCELLED: BridgeError = { code: 'CANCELLED', message: 'cancelled' };

interface Entry {
  info: JobInfo;
  controller: AbortController;
  lane?: string;
  /** Starts a queued job. */
  begin: () => void;
  /** Settles once the job has ended (whatever the outcome). */
  ended: Promise<void>;
  finish: (outcome: JobOutcome<unknown>) => void;
}

/** Options of a {@link JobRunner}. */
export interface JobRunnerOptions {
  /** Hears every state change (queued, running, done, failed, cancelled), for the `jobs:state` event. */
  onState?: (change: { jobId: string; kind: JobKind; state: JobState }) => void;
  now?: () => Date;
  newId?: () => string;
}

/**
 * The one owner of every long task the UI starts: each gets an id, runs with an AbortSignal, reports its last
 * progress, and ends exactly once as done, failed or cancelled. Jobs of a lane (trainings, which would otherwise
 * share two cores) wait in order. `dispose()` cancels everything and waits, so a server or app that stops leaves
 * an import undone (catalog unchanged) and a training cancelled (resumable) instead of abandoned mid-write.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Entry>();
  private disposing: Promise<void> | undefined;
  private closed = false;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly opts: JobRunnerOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.newId = opts.newId ?? randomUUID;
  }

  /** Starts (or queues) a job and returns its id at once; throws SHUTTING_DOWN after dispose(). */
  start<K extends JobKind, R>(spec: JobSpec<K, R>): string {
    if (this.closed) throw Object.assign(new Error('Lookalike is shutting down; no new jobs start'), { code: SHUTTING_DOWN });
    const jobId = this.newId();
    const controller = new AbortController();
    const info = { jobId, kind: spec.kind, state: 'queued', createdAt: this.now().toISOString(), startedAt: null, about: { ...spec.about }, progress: null } as JobInfo;
    let finish!: (outcome: JobOutcome<unknown>) => void;
    const ended = new Promise<void>((resolve) => {
      let done = false;
      finish = (outcome) => {
        if (done) return;
        done = true;
        this.jobs.delete(jobId);
        try {
          spec.end(outcome as JobOutcome<R>, jobId);
        } finally {
          this.opts.onState?.({ jobId, kind: spec.kind, state: outcome.state });
          resolve();
          if (spec.lane) this.next(spec.lane);
        }
      };
    });
    const control: JobControl<K> = {
      jobId,
      signal: controller.signal,
      progress: (p) => void (info.progress = p as never),
      about: (more) => void Object.assign(info.about, more),
    };
    const begin = () => {
      info.state = 'running';
      info.startedAt = this.now().toISOString();
      this.opts.onState?.({ jobId, kind: spec.kind, state: 'running' });
      let running: Promise<R>;
      try {
        running = spec.run(control);
      } catch (e) {
        running = Promise.reject(e);
      }
      running.then(
        (value) => {
          const as = spec.settledAs?.(value) ?? 'done';
          finish(as === 'done' ? { state: 'done', value } : as === 'cancelled' ? { state: 'cancelled', value, error: CANCELLED } : { state: 'failed', value, error: { code: 'FAILED', message: 'the job failed' } });
        },
        (e) => finish(controller.signal.aborted ? { state: 'cancelled', error: cancelledError(e) } : { state: 'failed', error: toBridgeError(e) }),
      );
    };
    this.jobs.set(jobId, { info, controller, lane: spec.lane, begin, ended, finish });
    this.opts.onState?.({ jobId, kind: spec.kind, state: 'queued' });
    if (!spec.lane || !this.laneBusy(spec.lane, jobId)) begin();
    return jobId;
  }

  /** The state a job is in now, or undefined once it ended (or never was). */
  stateOf(jobId: string): 'queued' | 'running' | undefined {
    return this.jobs.get(jobId)?.info.state;
  }

  /** Cancels a job: a queued one ends at once, a running one is signalled and ends when its code stops. */
  cancel(jobId: string): boolean {
    const entry = this.jobs.get(jobId);
    if (!entry) return false;
    entry.controller.abort(Object.assign(new Error('cancelled'), { code: 'CANCELLED' }));
    if (entry.info.state === 'queued') entry.finish({ state: 'cancelled', error: CANCELLED });
    return true;
  }

  /** The jobs that have not ended, oldest first (copies: the caller may keep them). */
  list(): JobInfo[] {
    return [...this.jobs.values()].map(({ info }) => structuredClone(info));
  }

  /** Refuses new jobs, cancels every job (queued ones first, so none starts) and resolves when all have ended. */
  dispose(): Promise<void> {
    this.closed = true;
    return (this.disposing ??= (async () => {
      const all = [...this.jobs.values()];
      for (const entry of all) if (entry.info.state === 'queued') this.cancel(entry.info.jobId);
      for (const entry of all) this.cancel(entry.info.jobId);
      await Promise.all(all.map((e) => e.ended));
    })());
  }

  private laneBusy(lane: string, except: string): boolean {
    for (const [id, e] of this.jobs) if (id !== except && e.lane === lane && e.info.state === 'running') return true;
    return false;
  }

  private next(lane: string): void {
    if (this.closed || this.laneBusy(lane, '')) return;
    for (const e of this.jobs.values()) {
      if (e.lane === lane && e.info.state === 'queued') return e.begin();
    }
  }
}

/** A cancelled job's error keeps its own code and message when it has one ("import cancelled; …"). */
function cancelledError(e: unknown): BridgeError {
  const err = toBridgeError(e);
  return err.code === 'INTERNAL' ? { ...CANCELLED, message: err.message || CANCELLED.message } : { ...err, code: 'CANCELLED' };
}
