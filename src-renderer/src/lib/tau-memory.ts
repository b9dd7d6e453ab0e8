/** The part of localStorage the tau memory uses (tests pass a Map-backed one). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = 'lookalike.tau.';

/**
 * The thresholds a user set, one per run, kept across reloads. Keyed by run id and creation time, so a run of a
 * recreated catalog that reuses an id does not inherit another run's threshold.
 */
export class TauMemory {
  constructor(private readonly storage: StorageLike | null) {}

  static key(run: { id: number; createdAt?: string | null }): string {
    return `${PREFIX}${run.id}${run.createdAt ? `@${run.createdAt}` : ''}`;
  }

  get(run: { id: number; createdAt?: string | null }): number | null {
    const raw = this.storage?.getItem(TauMemory.key(run));
    const v = raw == null ? NaN : Number(raw);
    return Number.isFinite(v) && v >= -1 && v <= 1 ? v : null;
  }

  set(run: { id: number; createdAt?: string | null }, tau: number | null): void {
    if (!this.storage) return;
    try {
      if (tau === null) this.storage.removeItem(TauMemory.key(run));
      else this.storage.setItem(TauMemory.key(run), String(tau));
    } catch {
      // A full or blocked storage only loses the memory, never the query.
    }
  }
}

/** In-memory storage, for where the page has none (tests, a locked-down browser). */
export function memoryStorage(): StorageLike {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

/** The page's localStorage when it can be used, else null. */
export function pageStorage(): StorageLike | null {
  try {
    const s = (globalThis as { localStorage?: StorageLike }).localStorage;
    return s ?? null;
  } catch {
    return null;
  }
}
