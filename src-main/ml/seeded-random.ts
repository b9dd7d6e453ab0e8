/**
 * Small, seeded pseudo-random numbers for training: batch order, random negatives, validation negatives.
 *
 * Math.random cannot be seeded, and a resumed run must draw exactly the numbers the uninterrupted run would
 * have drawn. So every consumer derives its own stream from the run seed plus where it is (epoch, batch…)
 * with `deriveSeed`, instead of sharing one generator whose position would depend on history.
 */

/** A seeded source of uniform numbers. */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). `n` must be a positive integer. */
  int(n: number): number;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, passes the usual statistical batteries well enough
 * for shuffling and sampling, and is a handful of integer operations.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Random.int needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

/**
 * Mixes a seed with further integers (epoch, batch, a stream tag) into a new 32-bit seed, so nearby inputs give
 * unrelated streams. Uses the murmur3 finaliser on each step.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Returns a shuffled copy of `items` (Fisher–Yates); the input is left untouched. */
export function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
