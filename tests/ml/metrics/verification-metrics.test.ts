import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { rocAuc, sampleNonPairs, seededRandom } from '../../../src-main/ml/metrics/verification-metrics.ts';


/** Definition of AUC: over every (positive, negative) couple, 1 if the positive wins, ½ on a tie. */
function pairwiseAuc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('rocAuc', () => {
  it('is 1 for perfectly separated scores and 0 for perfectly inverted ones', () => {
    expect(rocAuc([0.9, 0.8], [0.7, 0.1])).toBe(1);
    expect(rocAuc([0.7, 0.1], [0.9, 0.8])).toBe(0);
  });

  it('matches hand-counted couples', () => {
    // (0.8>0.6) (0.8>0.2) (0.4<0.6) (0.4>0.2) → 3 of 4
    expect(rocAuc([0.8, 0.4], [0.6, 0.2])).toBe(0.75);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // (0.5=0.5 → ½) (0.5>0.1) (0.9>0.5) (0.9>0.1) → 3.5 of 4
    expect(rocAuc([0.5, 0.9], [0.5, 0.1])).toBe(0.875);
    // one positive against three negatives: win, tie, loss → 1.5 of 3
    expect(rocAuc([1], [0, 1, 2])).toBe(0.5);
    // ties among positives only do not matter
    expect(rocAuc([0.7, 0.7, 0.7], [0.1, 0.2])).toBe(1);
  });

  it('is exactly 0.5 when every score is equal', () => {
    expect(rocAuc([0.3, 0.3, 0.3], [0.3, 0.3])).toBe(0.5);
  });

  it('agrees with the pairwise definition on random scores full of ties', () => {
    const random = seededRandom(3);
    const pos = Array.from({ length: 60 }, () => Math.round(random() * 10) / 10 + 0.2);
    const neg = Array.from({ length: 45 }, () => Math.round(random() * 10) / 10);
    expect(rocAuc(pos, neg)).toBeCloseTo(pairwiseAuc(pos, neg), 12);
  });

  it('refuses empty sides and non-finite scores', () => {
    expectEvalError(() => rocAuc([], [0.1]), 'EMPTY_INPUT');
    expectEvalError(() => rocAuc([0.1], []), 'EMPTY_INPUT');
    expectEvalError(() => rocAuc([0.1, NaN], [0.2]), 'NON_FINITE');
  });
});

describe('sampleNonPairs', () => {
  const labels = Array.from({ length: 50 }, (_, i) => `pair-${i}`);

  it('gives one non-pair per query, never its own match, the same for the same seed', () => {
    const a = sampleNonPairs(labels, labels, 11);
    expect(a).toHaveLength(50);
    a.forEach(({ query, gallery }, i) => {
      expect(query).toBe(i);
      expect(gallery).not.toBe(i);
      expect(gallery).toBeGreaterThanOrEqual(0);
      expect(gallery).toBeLessThan(50);
    });
    expect(sampleNonPairs(labels, labels, 11)).toEqual(a);
    expect(sampleNonPairs(labels, labels, 12)).not.toEqual(a);
  });

  it('matches by label, not by position, and draws uniformly among the other items', () => {
    const queries = Array.from({ length: 600 }, () => 'b');
    const counts = [0, 0, 0];
    for (const { gallery } of sampleNonPairs(queries, ['a', 'b', 'c'], 5)) counts[gallery]++;
    expect(counts[1]).toBe(0);
    // 600 draws between two items: ~300 each, σ ≈ 12
    expect(counts[0]).toBeGreaterThan(240);
    expect(counts[2]).toBeGreaterThan(240);
  });

  it('fails when a query has nothing to be a non-pair with', () => {
    expectEvalError(() => sampleNonPairs(['x'], ['x']), 'INVALID_ARGUMENT');
    expectEvalError(() => sampleNonPairs([], ['x']), 'EMPTY_INPUT');
  });
});
