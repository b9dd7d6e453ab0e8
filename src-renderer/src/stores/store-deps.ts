import type { LookalikeApi } from '../../../src-shared/api.ts';
import { animationFrame, type FrameScheduler } from '../lib/frame-batcher.ts';
import { pageStorage, type StorageLike } from '../lib/tau-memory.ts';

/** A connection that can drop (the browser's WebSocket); the desktop app has none. */
export interface ConnectionLike {
  readonly state: 'connecting' | 'open' | 'closed';
  onStateChange(listener: (state: 'connecting' | 'open' | 'closed') => void): () => void;
}

/** What the stores need from outside: the API (whichever transport built it), the frame clock, the connection. */
export interface StoreDeps {
  api: LookalikeApi;
  scheduleFrame: FrameScheduler;
  connection?: ConnectionLike;
  /** Where settings the user makes are kept across reloads (the page's localStorage; null: nowhere). */
  storage: StorageLike | null;
  /** Milliseconds on a clock that only moves forward, for rates and ETAs from progress events. */
  now: () => number;
}

let deps: StoreDeps | null = null;

/**
 * Hands the stores their API before the app mounts (main.ts), or a fake one in tests. The stores never reach for
 * `window` themselves, so they run the same in the page and in plain Node.
 */
export function provideStoreDeps(next: { api: LookalikeApi; scheduleFrame?: FrameScheduler; connection?: ConnectionLike; storage?: StorageLike | null; now?: () => number }): void {
  deps = {
    api: next.api,
    scheduleFrame: next.scheduleFrame ?? animationFrame,
    connection: next.connection,
    storage: next.storage === undefined ? pageStorage() : next.storage,
    now: next.now ?? (() => performance.now()),
  };
}

/** The API, for the stores only. */
export function storeApi(): LookalikeApi {
  if (!deps) throw new Error('provideStoreDeps() was not called before the first store was used');
  return deps.api;
}

/** The frame clock the stores batch streamed events on. */
export function storeFrames(): FrameScheduler {
  return deps?.scheduleFrame ?? animationFrame;
}

/** The connection to watch, when the transport has one. */
export function storeConnection(): ConnectionLike | undefined {
  return deps?.connection;
}

/** The stores' clock (ms). */
export function storeNow(): number {
  return deps ? deps.now() : performance.now();
}

/** The storage for settings kept across reloads, or null. */
export function storeStorage(): StorageLike | null {
  return deps?.storage ?? null;
}
