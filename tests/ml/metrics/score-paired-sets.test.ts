import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { openSetScores, runMetrics, scorePairedSets } from '../../../src-main/ml/metrics/score-paired-sets.ts';
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
  // Val, 20 pairs: query q's true pair scores 0.5 + q/100 and every other item 0.3 — except query 0, whose other
  // items all score 0.8 (its true pair is not first). One false match is allowed (⌊0.05 · 20⌋); the cut is the
  // second-highest impostor, 0.3; the lowest first-ranked true pair above it is query 1's, 0.51.
  const valSim = (q: number, g: number) => (q === g ? 0.5 + q / 100 : q === 0 ? 0.8 : 0.3);
  const val = scorePairedSets(20, valSim);
  // Test, 10 pairs: true pairs at 0.6 (all first), the other items at 0.55 for queries 0–2 and 0.2 for the rest.
  const test = scorePairedSets(10, (q, g) => (q === g ? 0.6 : q < 3 ? 0.55 : 0.2));

  it('chooses tau on val by the open-set rule and stores how it holds on test', () => {
    const m = runMetrics(val, test);
    expect(m.tau).toBe(0.5 + 1 / 100);
    expect(m.calibration).toEqual({
      state: 'calibrated', valPairs: 20, minValPairs: 20, targetFalseMatchRate: 0.05, rule: 'open-set',
      valFalseMatchRate: 0.05, valTrueMatchRate: 0.95,
      // On test, queries 0–2 still meet a 0.55 once their true pair is removed: 3 of 10 false matches.
      falseMatchRate: 0.3, trueMatchRate: 1,
    });
    expect(m.val).toEqual(val.scores);
    expect(m.test).toEqual(test.scores);
  });

  it('leaves a run with fewer than 20 val pairs uncalibrated, without tau, and never falls back to test', () => {
    const small = scorePairedSets(19, valSim);
    const m = runMetrics(small, test);
    expect(m.tau).toBeNull();
    expect(m.calibration).toMatchObject({ state: 'uncalibrated', valPairs: 19, rule: null, falseMatchRate: null, trueMatchRate: null });
    expect(m.test).toEqual(test.scores);
    // Six pairs, as in the demo's sample, even perfectly separated: still no threshold.
    expect(runMetrics(scorePairedSets(6, (q, g) => (q === g ? 0.9 : 0.1)), test)).toMatchObject({ tau: null, calibration: { state: 'uncalibrated', valPairs: 6 } });
    expect(runMetrics(null, null)).toMatchObject({ tau: null, test: null, val: null, calibration: { state: 'uncalibrated', valPairs: 0 } });
  });

  it('works with similarities that are all negative', () => {
    const negative = scorePairedSets(20, (q, g) => (q === g ? -0.1 - q / 100 : -0.9));
    const m = runMetrics(negative, null);
    expect(negative.scores.rocAuc).toBe(1);
    // No impostor comes near: the lowest true pair is tau, every true pair is a true match, test is absent.
    expect(m.tau).toBe(-0.1 - 19 / 100);
    expect(m.calibration).toMatchObject({ valFalseMatchRate: 0, valTrueMatchRate: 1, falseMatchRate: null, trueMatchRate: null });
  });
});

describe('openSetScores: calibrating against the catalog, not the val gallery alone', () => {
  // 20 val pairs: partner similarity 0.8; other val logos 0.3; one of 200 distractor logos (the training logos)
  // per query scores 0.85, above the partner: in a catalog of that size the query's true match is not first.
  const n = 20;
  const m = 200;
  const sim = (q: number, g: number) => (g === q ? 0.8 : g < n ? 0.3 : g - n === q * 10 ? 0.85 : 0.2);

  it('counts distractors as impostors and against the rank of the true match', () => {
    const s = openSetScores(n, m, sim);
    expect([...s.genuine]).toEqual(new Array(n).fill(0.8));
    expect([...s.impostorBest]).toEqual(new Array(n).fill(0.85));
    expect([...s.firstRanked]).toEqual(new Array(n).fill(0));
    const alone = scorePairedSets(n, sim).openSet;
    expect([...alone.impostorBest]).toEqual(new Array(n).fill(0.3));
  });

  it('gives a threshold that holds in the larger gallery: no false match above it, where the val gallery alone lets all through', () => {
    const val = scorePairedSets(n, sim);
    const withCatalog = runMetrics(val, val, openSetScores(n, m, sim));
    const valOnly = runMetrics(val, val);
    // Val alone: tau at the partners' 0.8, and every query's 0.85 impostor in the catalog would pass it.
    expect(valOnly.tau).toBe(0.8);
    expect(withCatalog.tau!).toBeGreaterThan(0.85);
    expect(withCatalog.calibration.valFalseMatchRate).toBe(0);
  });
});
