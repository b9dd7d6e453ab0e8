import { describe, expect, it } from 'vitest';
import { expectEvalError } from '../../helpers/expect-error-code.ts';
import { rankOfTrueMatch, retrievalMetrics } from '../../../src-main/ml/metrics/retrieval-metrics.ts';

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

describe('retrievalMetrics', () => {
  // Four gallery directions in the plane at 0°, 30°, 90° and 180°.
  const deg = (d: number) => v(Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180));
  const gallery = [deg(0), deg(30), deg(90), deg(180)];
  const galleryLabels = ['a', 'b', 'c', 'd'];

  it('computes ranks, recall@k and MRR on a hand-worked example', () => {
    // Angular distances to a, b, c, d decide the order (smaller angle = higher cosine):
    // q0 (label a) at 10°:  10, 20, 80, 170  → a first, rank 1.
    // q1 (label c) at 20°:  20, 10, 70, 160  → b, a, c → rank 3.
    // q2 (label d) at 100°: 100, 70, 10, 80  → c, b, d → rank 3.
    // q3 (label b) at 200°: 160, 170, 110, 20 → d, c, a, b → rank 4.
    const result = retrievalMetrics({
      queries: [deg(10), deg(20), deg(100), deg(200)],
      queryLabels: ['a', 'c', 'd', 'b'],
      gallery,
      galleryLabels,
      ks: [1, 3, 10],
    });
    expect(result.ranks).toEqual([1, 3, 3, 4]);
    expect(result.queries).toBe(4);
    expect(result.gallery).toBe(4);
    expect(result.recall).toEqual({ '1': 0.25, '3': 0.75, '10': 1 });
    expect(result.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 3 + 1 / 4) / 4, 12);
  });

  it('defaults to recall@1, @5 and @10', () => {
    const result = retrievalMetrics({ queries: [deg(5)], queryLabels: ['b'], gallery, galleryLabels });
    expect(Object.keys(result.recall).sort()).toEqual(['1', '10', '5']);
    expect(result.ranks).toEqual([2]);
    expect(result.recall).toEqual({ '1': 0, '5': 1, '10': 1 });
    expect(result.mrr).toBe(0.5);
  });

  it('gives the same answer for a row-major matrix as for an array of vectors', () => {
    const queries = [deg(10), deg(20), deg(100)];
    const labels = ['a', 'c', 'd'];
    const asArrays = retrievalMetrics({ queries, queryLabels: labels, gallery, galleryLabels });
    const data = new Float32Array(6);
    queries.forEach((q, i) => data.set(q, i * 2));
    const galleryData = new Float32Array(8);
    gallery.forEach((g, i) => galleryData.set(g, i * 2));
    const asMatrix = retrievalMetrics({
      queries: { data, rows: 3, dim: 2 },
      queryLabels: labels,
      gallery: { data: galleryData, rows: 4, dim: 2 },
      galleryLabels,
    });
    expect(asMatrix).toEqual(asArrays);
  });

  it('uses cosine similarity, so the scale of an embedding does not change its rank', () => {
    // At 80° the query is 10° from c and 80° from a; a raw dot product with a 50× longer a would rank a first.
    const scaled = [deg(0).map((x) => x * 50), deg(30), deg(90), deg(180)];
    const result = retrievalMetrics({ queries: [deg(80)], queryLabels: ['c'], gallery: scaled, galleryLabels });
    expect(result.ranks).toEqual([1]);
  });

  it('ranks a collapsed embedder (all vectors equal) last, not first', () => {
    const same = () => v(1, 1);
    const result = retrievalMetrics({
      queries: [same(), same(), same()],
      queryLabels: [1, 2, 3],
      gallery: [same(), same(), same()],
      galleryLabels: [3, 2, 1],
    });
    expect(result.ranks).toEqual([3, 3, 3]);
    expect(result.recall['1']).toBe(0);
  });

  it('handles a one-item gallery', () => {
    const result = retrievalMetrics({ queries: [v(0, 1)], queryLabels: ['x'], gallery: [v(1, 0)], galleryLabels: ['x'] });
    expect(result).toEqual({ queries: 1, gallery: 1, recall: { '1': 1, '5': 1, '10': 1 }, mrr: 1, ranks: [1] });
  });

  it('fails clearly on empty input, a missing true match, or inconsistent input', () => {
    expectEvalError(() => retrievalMetrics({ queries: [], queryLabels: [], gallery, galleryLabels }), 'EMPTY_INPUT');
    expectEvalError(() => retrievalMetrics({ queries: [deg(0)], queryLabels: ['a'], gallery: [], galleryLabels: [] }), 'EMPTY_INPUT');
    expectEvalError(() => retrievalMetrics({ queries: [deg(0)], queryLabels: ['zzz'], gallery, galleryLabels }), 'NO_TRUE_MATCH');
    expectEvalError(() => retrievalMetrics({ queries: [deg(0)], queryLabels: ['a', 'b'], gallery, galleryLabels }), 'LENGTH_MISMATCH');
    expectEvalError(
      () => retrievalMetrics({ queries: [deg(0)], queryLabels: ['a'], gallery, galleryLabels: ['a', 'a', 'c', 'd'] }),
      'DUPLICATE_LABEL',
    );
    expectEvalError(() => retrievalMetrics({ queries: [v(1, 0, 0)], queryLabels: ['a'], gallery, galleryLabels }), 'DIM_MISMATCH');
    expectEvalError(() => retrievalMetrics({ queries: [v(0, 0)], queryLabels: ['a'], gallery, galleryLabels }), 'ZERO_NORM');
    expectEvalError(() => retrievalMetrics({ queries: [deg(0)], queryLabels: ['a'], gallery, galleryLabels, ks: [0] }), 'INVALID_ARGUMENT');
  });
});
