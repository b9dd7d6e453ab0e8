import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  mineNegatives, negativeKey, randomNegatives, type MiningOptions, type MiningStrategy,
} from '../../src-main/ml/mining.ts';
import { createRandom, deriveSeed, shuffle } from '../../src-main/ml/seeded-random.ts';
import { pairwiseDistance, type Distance } from '../../src-main/ml/triplet-loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Points on a line (second coordinate 0), so the L1 distance is |x − y| and every expected pick can be read off:
 * anchor 0 at 0, its positive at 1 (d = 1); the others' positives at 2.5, 0.5 and 5.
 *        d to p0   p1    p2    p3     positive  semi-hard band (margin 2)
 *  a0=0     1     2.5   0.5   5       1         (1, 3): p1 inside, p2 hard
 *  a1=10    9     7.5   9.5   5       7.5       (7.5, 9.5): p0 inside, p3 hard
 *  a2=20    19    17.5  19.5  15      19.5      none farther than the positive → fallback: the farthest, p0
 *  a3=30    29    27.5  29.5  25      25        (25, 27): empty, all farther → the nearest of them, p1
 */
const ANCHORS = [0, 10, 20, 30];
const POSITIVES = [1, 2.5, 0.5, 5];

function mine(options: Partial<MiningOptions> & { strategy: MiningStrategy }): number[] {
  const a = tf.tensor2d(ANCHORS.map((x) => [x, 0]));
  const p = tf.tensor2d(POSITIVES.map((x) => [x, 0]));
  try {
    return mineNegatives(a, p, { distance: 'l1', margin: 2, random: createRandom(1), ...options });
  } finally {
    tf.dispose([a, p]);
  }
}

describe('mineNegatives on a constructed batch', () => {
  it('hard picks the closest other positive', () => {
    expect(mine({ strategy: 'hard' })).toEqual([2, 3, 3, 1]);
  });

  it('semihard picks inside the band, else the nearest farther one, else the farthest', () => {
    expect(mine({ strategy: 'semihard' })).toEqual([1, 0, 0, 1]);
  });

  it('random never picks the anchor’s own pair and covers the others evenly', () => {
    const counts = ANCHORS.map(() => [0, 0, 0, 0]);
    const random = createRandom(42);
    for (let draw = 0; draw < 600; draw++) {
      mine({ strategy: 'random', random }).forEach((j, i) => counts[i][j]++);
    }
    counts.forEach((row, i) => {
      expect(row[i]).toBe(0);
      row.forEach((c, j) => { if (j !== i) expect(c).toBeGreaterThan(150); }); // 200 expected each
    });
  });

  it('random is repeatable for a given seed and differs across seeds', () => {
    const draws = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 8 }, () => mine({ strategy: 'random', random })).flat();
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('never uses a pair marked "same" (set or matrix form)', () => {
    expect(mine({ strategy: 'hard', forbidden: new Set([negativeKey(0, 2)]) })).toEqual([1, 3, 3, 1]);
    const matrix = [[false, false, false, false], [false, false, false, true], [], []];
    expect(mine({ strategy: 'hard', forbidden: matrix })).toEqual([2, 0, 3, 1]);
  });

  it('prefers user-marked negatives, unless they are also forbidden', () => {
    expect(mine({ strategy: 'hard', preferred: new Set([negativeKey(0, 3)]) })).toEqual([3, 3, 3, 1]);
    const random = createRandom(3);
    for (let draw = 0; draw < 50; draw++) {
      expect(mine({ strategy: 'random', random, preferred: new Set([negativeKey(2, 1)]) })[2]).toBe(1);
    }
    const both = new Set([negativeKey(0, 3)]);
    expect(mine({ strategy: 'hard', preferred: both, forbidden: both })).toEqual([2, 3, 3, 1]);
  });

  it('returns -1 for an anchor without any candidate', () => {
    const one = tf.tensor2d([[1, 2]]);
    expect(mineNegatives(one, one, { strategy: 'hard', distance: 'l1', margin: 1 })).toEqual([-1]);
    one.dispose();
    const all = new Set([1, 2, 3].map((j) => negativeKey(0, j)));
    expect(mine({ strategy: 'semihard', forbidden: all })[0]).toBe(-1);
  });

  it('frees every tensor it creates', () => {
    const a = tf.tensor2d(ANCHORS.map((x) => [x, 0]));
    const before = tf.memory().numTensors;
    for (const strategy of ['random', 'semihard', 'hard'] as MiningStrategy[]) {
      mineNegatives(a, a, { strategy, distance: 'cosine', margin: 0.5, random: createRandom(0) });
    }
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});

describe('mineNegatives over many random batches', () => {
  it('never returns the anchor’s own pair or a forbidden one, and each pick obeys its strategy', () => {
    const gen = createRandom(2024);
    for (let trial = 0; trial < 120; trial++) {
      const b = 2 + gen.int(9);
      const d = 1 + gen.int(6);
      const distance = (['l1', 'l2sq', 'cosine'] as Distance[])[trial % 3];
      const strategy = (['random', 'semihard', 'hard'] as MiningStrategy[])[Math.floor(trial / 3) % 3];
      const margin = gen.next();
      const forbidden = new Set<string>();
      for (let k = 0; k < b; k++) forbidden.add(negativeKey(gen.int(b), gen.int(b)));
      const seed = deriveSeed(2024, trial);
      const a = tf.randomNormal([b, d], 0, 1, 'float32', seed) as tf.Tensor2D;
      const p = tf.randomNormal([b, d], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
      const picks = mineNegatives(a, p, { strategy, distance, margin, forbidden, random: createRandom(seed) });
      const dist = tf.tidy(() => pairwiseDistance(a, p, distance).arraySync());
      tf.dispose([a, p]);

      picks.forEach((j, i) => {
        const allowed = [...Array(b).keys()].filter((k) => k !== i && !forbidden.has(negativeKey(i, k)));
        if (allowed.length === 0) return expect(j).toBe(-1);
        expect(allowed).toContain(j);
        const row = dist[i];
        if (strategy === 'hard') expect(allowed.every((k) => row[j] <= row[k])).toBe(true);
        if (strategy === 'semihard') {
          const farther = allowed.filter((k) => row[k] > row[i]);
          if (farther.length > 0) {
            expect(row[j]).toBeGreaterThan(row[i]);
            expect(farther.every((k) => row[j] <= row[k])).toBe(true);
          } else {
            expect(allowed.every((k) => row[j] >= row[k])).toBe(true);
          }
        }
      });
    }
  });
});

describe('randomNegatives and the seeded helpers', () => {
  it('gives each pair another pair, repeatably, respecting forbidden couples', () => {
    const forbidden = new Set([negativeKey(0, 1), negativeKey(0, 2)]);
    const first = randomNegatives(4, createRandom(5), forbidden);
    expect(first).toEqual(randomNegatives(4, createRandom(5), forbidden));
    first.forEach((j, i) => expect(j).not.toBe(i));
    expect(first[0]).toBe(3);
    expect(randomNegatives(1, createRandom(5))).toEqual([-1]);
  });

  it('shuffle returns a repeatable permutation and leaves its input alone', () => {
    const items = [...Array(20).keys()];
    const once = shuffle(items, createRandom(9));
    expect(once).toEqual(shuffle(items, createRandom(9)));
    expect([...once].sort((x, y) => x - y)).toEqual(items);
    expect(once).not.toEqual(items);
    expect(items).toEqual([...Array(20).keys()]);
  });
});
