import { expect, it } from 'vitest';
import { embeddingSimilarity, runMetrics, scorePairedSets } from '../../../src-main/ml/metrics/score-paired-sets.ts';

it('ranks each query against every gallery item and counts ties against the true match', () => {
  // 3 pairs; similarity table [query][gallery]: query 0 finds its match first, query 1 second, query 2 ties.
  const table = [
    [0.9, 0.1, 0.2],
    [0.8, 0.7, 0.1],
    [0.5, 0.1, 0.5],
  ];
  const { scores, positives, negatives } = scorePairedSets(3, (q, g) => table[q][g]);
  expect(scores.recall).toEqual({ '1': 1 / 3, '5': 1, '10': 1 });
  expect(scores.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 2) / 3, 10);
  expect(Array.from(positives)).toEqual([0.9, 0.7, 0.5]);
  expect(negatives).toHaveLength(3);
  expect(scores.rocAuc).not.toBeNull();
});

it('handles one pair, refuses none', () => {
  expect(scorePairedSets(1, () => 0.3).scores).toMatchObject({ recall: { '1': 1 }, mrr: 1, rocAuc: null });
  expect(() => scorePairedSets(0, () => 0)).toThrow(/no pairs/);
});

it('computes cosine from normalised row-major embeddings', () => {
  const q = new Float32Array([1, 0, 0, 1]);
  const g = new Float32Array([0, 1, 1, 0]);
  const sim = embeddingSimilarity(q, g, 2);
  expect(sim(0, 1)).toBe(1);
  expect(sim(0, 0)).toBe(0);
});

it('calibrates tau on val, never on the split it reports; falls back to test and says so', () => {
  const separable = scorePairedSets(4, (q, g) => (q === g ? 0.9 - q * 0.01 : 0.2 + g * 0.01));
  const m = runMetrics(separable, separable);
  expect(m.calibratedOn).toBe('val');
  expect(m.tau).toBeGreaterThan(0.3);
  expect(m.tau).toBeLessThanOrEqual(0.9);
  expect(m.tauF1).toBe(1);
  expect(m.tauPrecision90).not.toBeNull();
  const noVal = runMetrics(scorePairedSets(1, () => 1), separable);
  expect(noVal.calibratedOn).toBe('test');
  expect(runMetrics(null, null)).toMatchObject({ tau: null, calibratedOn: null });
});
