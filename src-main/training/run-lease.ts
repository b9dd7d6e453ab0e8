import type { Db } from '../catalog/open-catalog.ts';
import { LEASE_RENEW_MS, renewLease } from '../catalog/runs.ts';

/** The run was taken over by another process (`resume --force`): this one must stop writing to it. */
export class RunTakenOverError extends Error {
  readonly code = 'RUN_TAKEN_OVER';
  constructor(runId: number) {
    super(`run ${runId} was taken over by another process (resume --force); this training stopped without writing to it`);
  }
}

/**
 * Keeps a run's lease while this process trains it: renewed on a timer (so slow steps that still yield, such as
 * feature extraction, keep it) and by `renew()` from the loop (each batch report and each epoch, which matters
 * when tensor maths keeps the event loop busy). Once the lease is lost, `renew()` throws RunTakenOverError.
 */
export class RunLeaseKeeper {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = -Infinity;
  private lost = false;

  constructor(
    private readonly db: Db,
    readonly runId: number,
    readonly owner: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts the timer; it never keeps the process alive on its own. */
  start(intervalMs = LEASE_RENEW_MS): this {
    if (this.timer) return this;
    this.timer = setInterval(() => this.tryRenew(true), intervalMs);
    this.timer.unref?.();
    return this;
  }

  /** Renews (at most once a second unless `always`), throwing if the run is no longer ours. */
  renew(always = false): void {
    this.tryRenew(always);
    if (this.lost) throw new RunTakenOverError(this.runId);
  }

  /** True once another process holds the run. */
  get isLost(): boolean {
    return this.lost;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tryRenew(always: boolean): void {
    if (this.lost) return;
    const now = this.clock();
    if (!always && now - this.last < 1000) return;
    try {
      this.lost = !renewLease(this.db, this.runId, this.owner, now);
      this.last = now;
    } catch {
      // A busy catalog: the next renewal tries again, well within the lease.
    }
  }
}
