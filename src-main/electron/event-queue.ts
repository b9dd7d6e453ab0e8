import type { EventName, Events } from '../../src-shared/contract.ts';

/** The part of Electron's WebContents the queue uses (tests pass a fake). */
export interface EventTarget {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Holds events sent before the renderer said it is ready, then delivers them in order. */
export class EventQueue {
  private pending: Array<[EventName, unknown]> = [];
  private target: EventTarget | undefined;

  /** The renderer is listening: flush what waited. */
  ready(target: EventTarget): void {
    this.target = target;
    for (const [name, payload] of this.pending.splice(0)) target.send(name, payload);
  }

  /** The renderer went away (reload, close): queue again until it is back. */
  detach(): void {
    this.target = undefined;
  }

  emit = <K extends EventName>(name: K, payload: Events[K]): void => {
    if (this.target && !this.target.isDestroyed()) this.target.send(name, payload);
    else this.pending.push([name, payload]);
  };
}
