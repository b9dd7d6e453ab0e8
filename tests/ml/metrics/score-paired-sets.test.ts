import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { runMetrics, scorePairedSets } from '../../../src-main/ml/metrics/score-paired-sets.ts';
import { embeddingSimilarity } from '../../../src-main/ml/vectors.ts';

/** A similarity given as a table [query][gallery]. */
const fromTable = (table: number[][]) => (q: number, g: number) => table[q][g];

describe('scorePairedSets', () => {
  // Every row's non-pairs score the same, so whichever non-pair the seed draws, its score is known by hand.
  const table = [
    [0.9, 0.6, 0.6], // true pair first: rank 1
    [0.8, 0.7, 0.8], // two non-pairs above it: rank 3
    [0.5, 0.5, 0.5], // all tie: ties count against the true pair, rank 3
  ];

  it('gives the hand-computed recall, MRR and ROC AUC', () => {
    const { scores, positives, negatives, allNegatives } = scorePairedSets(3, fromTable(table));
    expect(scores.recall).toEqual({ '1': 1 / 3, '5': 1, '10': 1 });
    expect(scores.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 3) / 3, 12);
    expect(Array.from(positives)).toEqual([0.9, 0.7, 0.5]);
    expect(Array.from(negatives)).toEqual([0.6, 0.8, 0.5]);
    expect(Array.from(allNegatives)).toEqual([0.6, 0.6, 0.8, 0.8, 0.5, 0.5]);
    // Couples (positive, negative): 0.9 beats all three (3); 0.7 beats 0.6 and 0.5 (2); 0.5 ties 0.5 (½) → 5.5 / 9.
    // An inverted AUC (negatives above positives) would be 3.5 / 9.
    expect(scores.rocAuc).toBeCloseTo(5.5 / 9, 12);
  });

  it('gives AUC 0 and recall@1 0 to a similarity that always ranks the true pair last', () => {
    const inverted = scorePairedSets(4, (q, g) => (q === g ? -0.5 : 0.25 + 0.1 * g));
    expect(inverted.scores.rocAuc).toBe(0);
    expect(inverted.scores.recall['1']).toBe(0);
    expect(inverted.scores.mrr).toBe(1 / 4);
  });

  it('ranks a collapsed embedder (every score equal) last, with AUC exactly 0.5', () => {
    const collapsed = scorePairedSets(5, () => 0.3);
    expect(collapsed.scores.recall).toEqual({ '1': 0, '5': 1, '10': 1 });
    expect(collapsed.scores.mrr).toBe(1 / 5);
    expect(collapsed.scores.rocAuc).toBe(0.5);
  });

  it('handles one pair (no non-pair: no AUC), refuses none and non-finite scores', () => {
    const one = scorePairedSets(1, () => 0.3);
    expect(one.scores).toMatchObject({ recall: { '1': 1, '5': 1, '10': 1 }, mrr: 1, rocAuc: null });
    expect(one.negatives).toHaveLength(0);
    expect(one.allNegatives).toHaveLength(0);
    expectEvalError(() => scorePairedSets(0, () => 0), 'EMPTY_INPUT');
    expectEvalError(() => scorePairedSets(2, (q, g) => (q === g ? 1 : NaN)), 'NON_FINITE');
  });
});

describe('embeddingSimilarity', () => {
  const deg = (d: number) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
  const rows = (...vs: number[][]) => Float32Array.from(vs.flat());

  it('is the dot product of normalised rows: 1 for the same direction, 0 orthogonal, -1 opposite', () => {
    const sim = embeddingSimilarity(rows([1, 0], [0, 1]), rows([0, 1], [1, 0], [-1, 0]), 2);
    expect(sim(0, 1)).toBe(1);
    expect(sim(0, 0)).toBe(0);
    expect(sim(0, 2)).toBe(-1);
    expect(sim(1, 0)).toBe(1);
  });

  it('ranks by angle on a hand-worked plane example', () => {
    // Gallery i is query i's true match: a 0°, c 90°, d 180°, b 30°. Angles of each query to a, c, d, b:
    // q0 10°:  10, 80, 170, 20   → its match first, rank 1.
    // q1 20°:  20, 70, 160, 10   → b, a, c → rank 3.
    // q2 100°: 100, 10, 80, 70   → c, b, d → rank 3.
    // q3 200°: 160, 110, 20, 170 → d, c, a, b → rank 4.
    const queries = rows(deg(10), deg(20), deg(100), deg(200));
    const gallery = rows(deg(0), deg(90), deg(180), deg(30));
    const { scores } = scorePairedSets(4, embeddingSimilarity(queries, gallery, 2));
    expect(scores.recall).toEqual({ '1': 0.25, '5': 1, '10': 1 });
    expect(scores.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 3 + 1 / 4) / 4, 6);
  });
});

describe('runMetrics', () => {
  // Val: true pairs at 0.9, 0.8, 0.7, every non-pair at 0.3. The sweep gives F1 0.5, 0.8, 1, 0.5 at tau 0.9, 0.8,
  // 0.7, 0.3, so max F1 is 1 at tau 0.7 — which also is the smallest tau with precision ≥ 0.9.
  const val = scorePairedSets(3, (q, g) => (q === g ? [0.9, 0.8, 0.7][q] : 0.3));
  // Test: true pairs at 0.6, 0.5, 0.4, every non-pair at 0.45. On its own it would pick tau 0.5 (F1 0.8).
  const test = scorePairedSets(3, (q, g) => (q === g ? [0.6, 0.5, 0.4][q] : 0.45));

  it('calibrates tau on val and reports each split on its own data', () => {
    const m = runMetrics(val, test);
    expect(m).toMatchObject({ calibratedOn: 'val', tau: 0.7, tauF1: 1, tauPrecision90: 0.7 });
    expect(m.val).toEqual(val.scores);
    expect(m.test).toEqual(test.scores);
    expect(m.test!.mrr).not.toBe(m.val!.mrr);
  });

  it('takes tau from whichever split is passed as val', () => {
    const swapped = runMetrics(test, val);
    expect(swapped).toMatchObject({ calibratedOn: 'val', tau: 0.5, tauF1: 0.8 });
  });

  it('falls back to test when val has no non-pair, and says so', () => {
    const m = runMetrics(scorePairedSets(1, () => 1), test);
    expect(m).toMatchObject({ calibratedOn: 'test', tau: 0.5, tauF1: 0.8 });
    expect(runMetrics(null, null)).toMatchObject({ tau: null, tauF1: null, tauPrecision90: null, calibratedOn: null });
  });

  it('works with similarities that are all negative', () => {
    const negative = scorePairedSets(3, (q, g) => (q === g ? [-0.1, -0.2, -0.3][q] : -0.9));
    const m = runMetrics(negative, null);
    expect(negative.scores.rocAuc).toBe(1);
    expect(m).toMatchObject({ calibratedOn: 'val', tau: -0.3, tauF1: 1 });
  });
});
