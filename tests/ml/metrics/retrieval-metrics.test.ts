import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { meanReciprocalRank, rankOfTrueMatch, recallAtK } from '../../../src-main/ml/metrics/retrieval-metrics.ts';

const v = (...xs: number[]) => Float32Array.from(xs);


describe('rankOfTrueMatch', () => {
  it('is 1 + the number of items scoring strictly higher when there are no ties', () => {
    const scores = v(0.1, 0.9, 0.5, 0.7);
    expect(rankOfTrueMatch(scores, 1)).toBe(1);
    expect(rankOfTrueMatch(scores, 3)).toBe(2);
    expect(rankOfTrueMatch(scores, 2)).toBe(3);
    expect(rankOfTrueMatch(scores, 0)).toBe(4);
  });

  it('counts ties with the true match against it (pessimistic)', () => {
    const scores = v(0.9, 0.5, 0.9, 0.1, 0.9);
    expect(rankOfTrueMatch(scores, 0)).toBe(3); // two others tie at 0.9
    expect(rankOfTrueMatch(scores, 1)).toBe(4);
    expect(rankOfTrueMatch(v(0.3, 0.3, 0.3, 0.3), 2)).toBe(4); // all equal: worst possible rank
  });

  it('works for a single score and rejects bad indices or NaN scores', () => {
    expect(rankOfTrueMatch(v(0.2), 0)).toBe(1);
    expectEvalError(() => rankOfTrueMatch(v(0.2, 0.4), 2), 'INVALID_ARGUMENT');
    expectEvalError(() => rankOfTrueMatch(v(0.2, NaN), 0), 'NON_FINITE');
  });
});

describe('recallAtK and meanReciprocalRank', () => {
  it('count the ranks within each cut-off and average their reciprocals', () => {
    const ranks = [1, 3, 3, 4];
    expect(recallAtK(ranks, [1, 3, 10])).toEqual({ '1': 0.25, '3': 0.75, '10': 1 });
    expect(recallAtK(ranks)).toEqual({ '1': 0.25, '5': 1, '10': 1 });
    expect(meanReciprocalRank(ranks)).toBeCloseTo((1 + 1 / 3 + 1 / 3 + 1 / 4) / 4, 12);
  });

  it('refuse no ranks and cut-offs that are not positive integers', () => {
    expectEvalError(() => recallAtK([]), 'EMPTY_INPUT');
    expectEvalError(() => meanReciprocalRank([]), 'EMPTY_INPUT');
    expectEvalError(() => recallAtK([1], [0]), 'INVALID_ARGUMENT');
    expectEvalError(() => recallAtK([1], [1.5]), 'INVALID_ARGUMENT');
  });
});
