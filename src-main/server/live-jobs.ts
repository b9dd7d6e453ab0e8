import type { EventName, Reply } from '../../src-shared/contract.ts';
import type { RunRequest } from './ws-bridge.ts';

/** Which request starts a job of which kind, and the request that cancels it. */
const STARTERS: Record<string, string> = {
  'datasets:import': 'datasets:cancelImport',
  'training:start': 'training:cancel',
  'training:resume': 'training:cancel',
};
const ENDINGS = new Set<EventName>(['import:done', 'import:failed', 'training:done', 'training:failed']);

/**
 * The jobs pages started through the server that have not ended yet, so that stopping the server cancels them
 * (an import leaves the catalog as it was; a training run stays resumable) instead of leaving a worker running.
 */
export class LiveJobs {
  /** jobId → the request that cancels it. */
  private readonly live = new Map<string, string>();
  /** Jobs whose end was seen before their start reply (a job can fail at once). */
  private readonly ended = new Set<string>();
  private onEnd: (() => void) | undefined;

  /** Notes a reply: a started job is live until its end event. */
  noteReply(name: string, reply: Reply<unknown>): void {
    const jobId = reply.ok ? (reply.value as { jobId?: unknown } | undefined)?.jobId : undefined;
    if (!(name in STARTERS) || typeof jobId !== 'string') return;
    if (this.ended.delete(jobId)) return;
    this.live.set(jobId, STARTERS[name]);
  }

  /** Notes an event: a job's done/failed event ends it. */
  noteEvent(name: EventName, payload: unknown): void {
    if (!ENDINGS.has(name)) return;
    const jobId = (payload as { jobId: string }).jobId;
    if (!this.live.delete(jobId)) this.ended.add(jobId);
    if (this.live.size === 0) this.onEnd?.();
  }

  /** Cancels every live job and waits (at most `timeoutMs`) for them to end. */
  async cancelAll(run: RunRequest, timeoutMs: number): Promise<void> {
    if (this.live.size === 0) return;
    const allEnded = new Promise<void>((resolve) => (this.onEnd = resolve));
    await Promise.all([...this.live].map(([jobId, cancel]) => run(cancel, { jobId })));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allEnded, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.onEnd = undefined;
  }
}
