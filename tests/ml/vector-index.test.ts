import { describe, expect, it } from 'vitest';
import { expectErrorCode } from '../helpers/expect-error-code.ts';
import { BruteForceIndex } from '../../src-main/ml/vector-index.ts';
import { VectorIndexError } from '../../src-main/ml/vectors.ts';
import { seededRandom } from '../../src-main/ml/metrics/verification-metrics.ts';

function randomVector(random: () => number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, () => random() * 2 - 1);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Reference answer: score everything, full sort, take k. */
function referenceTopK(vectors: Float32Array[], query: Float32Array, k: number, keep: (id: number) => boolean = () => true) {
  return vectors
    .map((v, id) => ({ id, score: cosine(v, query) }))
    .filter(({ id }) => keep(id))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

function expectCodeOf(fn: () => unknown, code: string): void {
  expectErrorCode(fn, VectorIndexError, code);
}

describe('BruteForceIndex', () => {
  const dim = 37; // not a multiple of the unroll width, to exercise the tail loop
  const random = seededRandom(7);
  const vectors = Array.from({ length: 500 }, () => randomVector(random, dim));
  const index = new BruteForceIndex({ dim, capacity: 8 }); // small capacity: the buffer must grow several times
  vectors.forEach((v, id) => index.add(id, v));

  it('returns the same top k as a full sort of exact cosines, best first', () => {
    expect(index.size).toBe(500);
    for (const k of [1, 5, 10, 64]) {
      for (let trial = 0; trial < 5; trial++) {
        const query = randomVector(random, dim);
        const hits = index.search(query, k);
        const expected = referenceTopK(vectors, query, k);
        expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.id));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 5));
      }
    }
  });

  it('finds a stored vector as its own best match with score 1, whatever its scale', () => {
    const hits = index.search(vectors[123].map((x) => x * 1000), 1);
    expect(hits[0].id).toBe(123);
    expect(hits[0].score).toBeCloseTo(1, 5);
  });

  it('returns everything when k exceeds the size, and nothing for k = 0', () => {
    expect(index.search(vectors[0], 10_000)).toHaveLength(500);
    expect(index.search(vectors[0], 0)).toEqual([]);
    expect(new BruteForceIndex({ dim }).search(vectors[0], 3)).toEqual([]);
  });

  it('skips filtered-out ids and fills the k slots with the next best', () => {
    const keep = (id: number) => id % 3 === 0;
    const query = randomVector(random, dim);
    const hits = index.search(query, 10, keep);
    expect(hits).toHaveLength(10);
    expect(hits.map((h) => h.id)).toEqual(referenceTopK(vectors, query, 10, keep).map((e) => e.id));
  });

  it('breaks score ties by id, whatever the insertion order', () => {
    const tied = new BruteForceIndex<string>({ dim: 2 });
    for (const id of ['d', 'b', 'e', 'a', 'c']) tied.add(id, [3, 4]);
    tied.add('z', [1, 0]);
    expect(tied.search([3, 4], 3).map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(tied.search([3, 4], 6).map((h) => h.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'z']);
    const numeric = new BruteForceIndex({ dim: 2 });
    for (const id of [30, 4, 200, 1]) numeric.add(id, [1, 1]);
    expect(numeric.search([1, 1], 2).map((h) => h.id)).toEqual([1, 4]);
  });

  it('scores opposite vectors -1 and orthogonal ones 0', () => {
    const small = new BruteForceIndex({ dim: 2 });
    small.add(1, [0, 2]);
    small.add(2, [-5, 0]);
    const hits = small.search([1, 0], 2);
    expect(hits[0]).toEqual({ id: 1, score: 0 });
    expect(hits[1].id).toBe(2);
    expect(hits[1].score).toBeCloseTo(-1, 6);
  });

  it('refuses zero or NaN vectors, wrong lengths, duplicate ids and bad k with a clear code', () => {
    const small = new BruteForceIndex({ dim: 3 });
    expectCodeOf(() => small.add(1, [0, 0, 0]), 'ZERO_NORM');
    expectCodeOf(() => small.add(1, [NaN, 1, 0]), 'ZERO_NORM');
    expectCodeOf(() => small.add(1, [1, 0]), 'DIM_MISMATCH');
    small.add(1, [1, 0, 0]);
    expectCodeOf(() => small.add(1, [0, 1, 0]), 'DUPLICATE_ID');
    expectCodeOf(() => small.search([0, 0, 0], 1), 'ZERO_NORM');
    expectCodeOf(() => small.search([1, 0], 1), 'DIM_MISMATCH');
    expectCodeOf(() => small.search([1, 0, 0], -1), 'INVALID_ARGUMENT');
    expectCodeOf(() => new BruteForceIndex({ dim: 0 }), 'INVALID_ARGUMENT');
    // A rejected add must leave the index unchanged.
    expect(small.size).toBe(1);
    expect(small.has(1)).toBe(true);
  });

  it('ranks the same through the native scan as through the JavaScript scan, with and without filters', () => {
    // nativeScanMinRows 1 forces the native shortlist + exact re-scoring on this small set.
    const native = new BruteForceIndex({ dim, nativeScanMinRows: 1 });
    vectors.forEach((v, id) => native.add(id, v));
    const filters: Array<((id: number) => boolean) | undefined> = [undefined, (id) => id % 3 === 0, (id) => id === 17 || id === 401, () => false];
    for (let trial = 0; trial < 5; trial++) {
      const query = randomVector(random, dim);
      for (const keep of filters) {
        for (const k of [1, 10, 64]) {
          const expected = referenceTopK(vectors, query, k, keep);
          const hits = native.search(query, k, keep);
          expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.id));
          hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 5));
        }
      }
    }
  });

  it('re-scores a candidate list exactly, best first, ignoring unknown and filtered ids', () => {
    const query = randomVector(random, dim);
    const candidates = [5, 77, 300, 499, 10_000, 42];
    const hits = index.rescore(query, candidates, 3, (id) => id !== 42);
    const expected = candidates
      .filter((id) => id < 500 && id !== 42)
      .map((id) => ({ id, score: cosine(vectors[id], query) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.id));
    hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i].score, 5));
  });
});
