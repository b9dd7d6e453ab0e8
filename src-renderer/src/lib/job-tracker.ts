/**
 * Which job the UI is showing. Events carry a jobId; only the current job's are let through. A job's first
 * events can arrive before the request that started it answers with its id, so while a start is pending,
 * events are held and replayed once the id is known (those of other jobs are dropped then).
 */
export class JobTracker<E extends { jobId: string }> {
  private current: string | null = null;
  private starting = false;
  private held: E[] = [];

  /** The job shown now, or null. */
  get jobId(): string | null {
    return this.current;
  }

  /** Whether a start request is on its way. */
  get pending(): boolean {
    return this.starting;
  }

  /** A start request is about to go out: everything shown so far becomes stale. */
  begin(): void {
    this.current = null;
    this.starting = true;
    this.held = [];
  }

  /** The start request answered: returns the held events of this job, in order, to apply now. */
  accept(jobId: string): E[] {
    this.current = jobId;
    this.starting = false;
    const mine = this.held.filter((e) => e.jobId === jobId);
    this.held = [];
    return mine;
  }

  /** Shows no job: later events of the old one are ignored. */
  reset(): void {
    this.current = null;
    this.starting = false;
    this.held = [];
  }

  /** Whether an event is the current job's; while a start is pending it is held instead (false). */
  admit(event: E): boolean {
    if (this.current !== null) return event.jobId === this.current;
    if (this.starting) this.held.push(event);
    return false;
  }
}
