import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { calibrateOpenSet, openSetRates, type OpenSetScores } from '../../../src-main/ml/metrics/open-set-calibration.ts';
import { scorePairedSets } from '../../../src-main/ml/metrics/score-paired-sets.ts';

/** Open-set scores from plain lists: per query its true pair's score, whether it ranks first, its best impostor. */
const scores = (genuine: number[], first: number[], impostor: number[]): OpenSetScores => ({
  genuine: Float64Array.from(genuine),
  firstRanked: Uint8Array.from(first),
  impostorBest: Float64Array.from(impostor),
});

describe('openSetRates', () => {
  // Query 2's true pair is not first (0.75 beats its 0.7); query 1's impostor outscores nothing of its own.
  const s = scores([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 1], [0.5, 0.75, 0.75, 0.3]);

  it('counts false matches among the queries without their true match and first-ranked true matches ≥ tau', () => {
    expect(openSetRates(s, 0.7)).toEqual({ falseMatchRate: 0.5, trueMatchRate: 0.5 });
    expect(openSetRates(s, 0.6)).toEqual({ falseMatchRate: 0.5, trueMatchRate: 0.75 });
    expect(openSetRates(s, 0.95)).toEqual({ falseMatchRate: 0, trueMatchRate: 0 });
    expect(openSetRates(s, -1)).toEqual({ falseMatchRate: 1, trueMatchRate: 0.75 });
  });

  it('counts a score equal to tau as a match, on both sides', () => {
    expect(openSetRates(s, 0.75)).toEqual({ falseMatchRate: 0.5, trueMatchRate: 0.5 });
    expect(openSetRates(s, 0.8)).toEqual({ falseMatchRate: 0, trueMatchRate: 0.5 });
  });

  it('is what scorePairedSets measures: each query also scored against the gallery without its true match', () => {
    // Query 0's partner wins (0.9 over 0.4); query 1's loses to gallery 0 (0.7 over 0.6); query 2 ties its best
    // impostor, which counts against it (not first), as the rank does.
    const table = [
      [0.9, 0.4, 0.2],
      [0.7, 0.6, 0.1],
      [0.5, 0.3, 0.5],
    ];
    const { openSet } = scorePairedSets(3, (q, g) => table[q][g]);
    expect(Array.from(openSet.genuine)).toEqual([0.9, 0.6, 0.5]);
    expect(Array.from(openSet.firstRanked)).toEqual([1, 0, 0]);
    expect(Array.from(openSet.impostorBest)).toEqual([0.4, 0.7, 0.5]);
    expect(openSetRates(openSet, 0.5)).toEqual({ falseMatchRate: 2 / 3, trueMatchRate: 1 / 3 });
  });

  it('never counts a false match for a one-image gallery, and refuses bad input', () => {
    const one = scorePairedSets(1, () => 0.3).openSet;
    expect(one.impostorBest[0]).toBe(-Infinity);
    expect(openSetRates(one, -1)).toEqual({ falseMatchRate: 0, trueMatchRate: 1 });
    expectEvalError(() => openSetRates(scores([], [], []), 0.5), 'EMPTY_INPUT');
    expectEvalError(() => openSetRates(scores([NaN], [1], [0]), 0.5), 'NON_FINITE');
    expectEvalError(() => openSetRates(scores([0.5], [1], [0, 1]), 0.5), 'INVALID_ARGUMENT');
    expectEvalError(() => openSetRates(s, NaN), 'INVALID_ARGUMENT');
  });
});

describe('calibrateOpenSet', () => {
  // 20 queries: impostors at 0.00 … 0.18, except query 19's at 0.5; true pairs at 0.15 … 0.34, all first-ranked
  // except queries 4 and 19. Target 0.05 allows ⌊0.05 · 20⌋ = 1 false match, so tau must exceed the second-highest
  // impostor, 0.18; query 3's 0.18 does not, query 4's 0.19 is not first — query 5's 0.20 is the lowest that counts.
  const n = 20;
  const impostor = Array.from({ length: n }, (_, i) => (i === 19 ? 0.5 : i / 100));
  const genuine = Array.from({ length: n }, (_, i) => 0.15 + i / 100);
  const first = Array.from({ length: n }, (_, i) => (i === 4 || i === 19 ? 0 : 1));
  const s = scores(genuine, first, impostor);

  it('picks the lowest tau that keeps the false-match rate within the target, maximising the true-match rate', () => {
    const c = calibrateOpenSet(s, 0.05);
    expect(c.tau).toBe(genuine[5]);
    expect(c).toMatchObject({ falseMatchRate: 0.05, trueMatchRate: 14 / 20 });
    // One true pair lower breaks the target; anything higher gives up true matches.
    expect(openSetRates(s, genuine[3]).falseMatchRate).toBeGreaterThan(0.05);
    expect(openSetRates(s, genuine[6]).trueMatchRate).toBeLessThan(c.trueMatchRate);
  });

  it('is stricter with a stricter target: zero false matches puts tau above every impostor, true pairs or not', () => {
    // Query 19's impostor (0.5) outscores every true pair, so no true match survives: said, not hidden.
    const c = calibrateOpenSet(s, 0);
    expect(c.tau).toBeGreaterThan(0.5);
    expect(c).toMatchObject({ falseMatchRate: 0, trueMatchRate: 0 });
  });

  it('steps over a true-pair score that ties the cut: tied scores fall on the same side of tau', () => {
    // Allowed false matches: 0; the best impostor is 0.6 and query 1's true pair is exactly 0.6.
    const tied = scores([0.9, 0.6, 0.7, ...Array(17).fill(0.8)], Array(20).fill(1), [0.6, 0.2, 0.1, ...Array(17).fill(0.3)]);
    const c = calibrateOpenSet(tied, 0.04);
    expect(c).toEqual({ tau: 0.7, falseMatchRate: 0, trueMatchRate: 19 / 20 });
    expect(openSetRates(tied, 0.6).falseMatchRate).toBe(1 / 20);
  });

  it('when every impostor outscores every true pair, sets tau just above the cut with no true match', () => {
    const hopeless = scores(Array(20).fill(0.5), Array(20).fill(0), Array(20).fill(0.9));
    const c = calibrateOpenSet(hopeless, 0.05);
    expect(c.tau).toBeGreaterThan(0.9);
    expect(c.tau - 0.9).toBeLessThan(1e-15);
    expect(c).toMatchObject({ falseMatchRate: 0, trueMatchRate: 0 });
  });

  it('reads the target as a whole number of queries despite float rounding', () => {
    // 0.57 · 100 is 56.99999999999999 in doubles: 57 false matches are still allowed.
    const many = scores(Array.from({ length: 100 }, (_, i) => 2 + i), Array(100).fill(1), Array.from({ length: 100 }, (_, i) => i));
    const c = calibrateOpenSet(many, 0.57);
    expect(c.falseMatchRate).toBe(0.57);
    expect(c.tau).toBe(43);
  });

  it('refuses a target outside [0, 1) and empty input', () => {
    expectEvalError(() => calibrateOpenSet(s, 1), 'INVALID_ARGUMENT');
    expectEvalError(() => calibrateOpenSet(s, -0.1), 'INVALID_ARGUMENT');
    expectEvalError(() => calibrateOpenSet(s, NaN), 'INVALID_ARGUMENT');
    expectEvalError(() => calibrateOpenSet(scores([], [], []), 0.05), 'EMPTY_INPUT');
  });
});
