import { buildApi, type LookalikeApi } from '../../src-shared/api.ts';
import { toBridgeError, type ArgsOf, type EventName, type Events, type RequestName, type ResultOf } from '../../src-shared/contract.ts';
import type { FrameScheduler } from '../../src-renderer/src/lib/frame-batcher.ts';

type Handler<K extends RequestName> = (args: ArgsOf<K>) => ResultOf<K> | Promise<ResultOf<K>>;
export type FakeHandlers = { [K in RequestName]?: Handler<K> };

/**
 * A LookalikeApi over an in-memory transport: the real grouping and error unwrapping of src-shared/api.ts, with
 * request handlers the test supplies (others answer NOT_IMPLEMENTED, as an unfinished server would), every call
 * recorded, and events the test emits.
 */
export function fakeApi(handlers: FakeHandlers = {}) {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: { name: RequestName; args: unknown }[] = [];
  const api: LookalikeApi = buildApi({
    async invoke(name, args) {
      calls.push({ name, args });
      const handler = handlers[name] as ((a: unknown) => unknown) | undefined;
      try {
        if (!handler) throw Object.assign(new Error(`${name} is not implemented`), { code: 'NOT_IMPLEMENTED' });
        return { ok: true, value: await handler(args) };
      } catch (e) {
        return { ok: false, error: toBridgeError(e) };
      }
    },
    subscribe(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    mediaUrl: (kind, imageId) => `/media/${kind}/${imageId}`,
  });
  return {
    api,
    calls,
    /** Requests of one name, in order. */
    callsOf: (name: RequestName) => calls.filter((c) => c.name === name).map((c) => c.args),
    emit<K extends EventName>(name: K, payload: Events[K]): void {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
    listenerCount: (name: EventName) => listeners.get(name)?.size ?? 0,
  };
}

/** A frame clock the test advances by hand. */
export function fakeFrames() {
  const queue: (() => void)[] = [];
  const schedule: FrameScheduler = (cb) => {
    queue.push(cb);
  };
  return {
    schedule,
    /** Frames waiting to run. */
    get waiting() {
      return queue.length;
    },
    /** Runs the frame callbacks queued so far. */
    tick(): void {
      for (const cb of queue.splice(0)) cb();
    },
  };
}

/** Lets pending promise callbacks run (requests of the fake API resolve in microtasks). */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** An Error with a code, as services throw them. */
export const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
