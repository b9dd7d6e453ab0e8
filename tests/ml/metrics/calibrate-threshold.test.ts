import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { f1At as f1AtTau, tauMaxF1 } from '../../../src-main/ml/metrics/calibrate-threshold.ts';
import { seededRandom } from '../../../src-main/ml/metrics/verification-metrics.ts';


/** F1 of the rule "match = score ≥ tau", computed from scratch. */
function f1At(pos: number[], neg: number[], tau: number): number {
  const tp = pos.filter((s) => s >= tau).length;
  const fp = neg.filter((s) => s >= tau).length;
  return (2 * tp) / (tp + fp + pos.length);
}

describe('tauMaxF1', () => {
  it('reaches F1 = 1 on separable classes with tau between them', () => {
    const pos = [0.9, 0.8, 0.72];
    const neg = [0.5, 0.3, 0.2, 0.61];
    const best = tauMaxF1(pos, neg);
    expect(best).toEqual({ tau: 0.72, f1: 1, precision: 1, recall: 1 });
    expect(best.tau).toBeGreaterThan(Math.max(...neg));
    expect(best.tau).toBeLessThanOrEqual(Math.min(...pos));
  });

  it('finds the known best threshold on overlapping classes', () => {
    // tau: 0.9 → F1 2/4, 0.7 → 2/5, 0.6 → 4/6, 0.4 → 6/7, 0.3 → 6/8, 0.2 → 6/9
    const best = tauMaxF1([0.9, 0.6, 0.4], [0.7, 0.3, 0.2]);
    expect(best.tau).toBe(0.4);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    expect(best.precision).toBe(0.75);
    expect(best.recall).toBe(1);
  });

  it('counts a positive and a negative with the same score together', () => {
    // tau 0.9 → F1 2/3; tau 0.5 takes both 0.5s: tp 2, fp 1 → 4/5
    expect(tauMaxF1([0.5, 0.9], [0.5])).toEqual({ tau: 0.5, f1: 0.8, precision: 2 / 3, recall: 1 });
  });

  it('prefers the stricter threshold when two give the same F1', () => {
    // tau 0.9 → 2/3; tau 0.1 → 4/6
    expect(tauMaxF1([0.9, 0.1], [0.5, 0.4]).tau).toBe(0.9);
  });

  it('is never beaten by any other threshold on random overlapping scores', () => {
    const random = seededRandom(21);
    const pos = Array.from({ length: 80 }, () => 0.3 + 0.7 * random());
    const neg = Array.from({ length: 120 }, () => 0.7 * random());
    const best = tauMaxF1(pos, neg);
    expect(best.f1).toBeCloseTo(f1At(pos, neg, best.tau), 12);
    for (let tau = -0.01; tau <= 1.01; tau += 0.001) expect(f1At(pos, neg, tau)).toBeLessThanOrEqual(best.f1 + 1e-12);
    // The classes overlap on [0.3, 0.7], so the best F1 is well short of 1 (about 0.7 in expectation).
    expect(best.f1).toBeGreaterThan(0.6);
    expect(best.f1).toBeLessThan(1);
  });

  it('refuses an input without positives', () => {
    expectEvalError(() => tauMaxF1([], [0.1]), 'EMPTY_INPUT');
    expectEvalError(() => tauMaxF1([0.4, Infinity], [0.1]), 'NON_FINITE');
  });
});

describe('f1At', () => {
  it('scores a threshold chosen elsewhere with the calibration sweep counts', () => {
    // tau 0.5: tp 2 (0.9, 0.6), fp 1 (0.7), fn 1 (0.2) → F1 = 4 / (4 + 1 + 1).
    expect(f1AtTau(0.5, [0.9, 0.6, 0.2], [0.7, 0.1])).toBeCloseTo(4 / 6, 12);
    expect(f1AtTau(0.95, [0.9, 0.6], [0.1])).toBe(0);
    // The best threshold's F1 is what f1At gives at that threshold.
    const best = tauMaxF1([0.9, 0.6, 0.2], [0.7, 0.1]);
    expect(f1AtTau(best.tau, [0.9, 0.6, 0.2], [0.7, 0.1])).toBe(best.f1);
    expectEvalError(() => f1AtTau(0.5, [], [0.1]), 'EMPTY_INPUT');
  });
});
