/** Runs a callback before the next repaint (requestAnimationFrame in a page, a timer elsewhere). */
export type FrameScheduler = (callback: () => void) => void;

/** The page's requestAnimationFrame when there is one; a ~60 Hz timer otherwise (plain Node, tests). */
export const animationFrame: FrameScheduler = (callback) => {
  // Looked up on globalThis so this module type-checks and runs without the DOM library.
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  if (raf) raf(callback);
  else setTimeout(callback, 16);
};

/** Collects items and hands them over in one batch per frame. */
export interface FrameBatcher<T> {
  /** Queues an item; the first item of a frame schedules the flush. */
  push(item: T): void;
  /** Hands over what is queued now (for terminal events, which must not wait behind a frame). */
  flushNow(): void;
  /** Drops what is queued, unflushed. */
  clear(): void;
  /** Items waiting for the next frame. */
  readonly pending: number;
}

/**
 * Batches streamed events to one UI update per animation frame. A WebSocket or IPC message is its own task, so
 * without this every progress event would cost a render; with it, a burst of events costs one.
 */
export function createFrameBatcher<T>(flush: (items: T[]) => void, schedule: FrameScheduler = animationFrame): FrameBatcher<T> {
  let queue: T[] = [];
  let scheduled = false;
  const run = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    flush(items);
  };
  return {
    push(item) {
      queue.push(item);
      if (!scheduled) {
        scheduled = true;
        schedule(run);
      }
    },
    flushNow: run,
    clear() {
      queue = [];
    },
    get pending() {
      return queue.length;
    },
  };
}
