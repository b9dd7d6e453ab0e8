import type { WebContents } from 'electron';
import type { EventName, Events } from '../../src-shared/contract.ts';

/** Holds events sent before the renderer said it is ready, then delivers them in order. */
export class EventQueue {
  private pending: Array<[EventName, unknown]> = [];
  private target: WebContents | undefined;

  /** The renderer is listening: flush what waited. */
  ready(target: WebContents): void {
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
