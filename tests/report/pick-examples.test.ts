import { expect, it } from 'vitest';
import { pickExamples } from '../../src-main/report/pick-examples.ts';

/** A similarity from a matrix: rows are queries, columns gallery items. */
const fromMatrix = (m: number[][]) => (q: number, g: number) => m[q][g];

it('lists misses first (worst rank first), then hits from the least confident', () => {
  const m = [
    [0.9, 0.1, 0.2, 0.0], // hit, confident
    [0.8, 0.5, 0.9, 0.1], // miss: true pair third
    [0.1, 0.2, 0.6, 0.0], // hit, less confident
    [0.1, 0.2, 0.3, 0.25], // miss: true pair second
  ];
  const picked = pickExamples(4, fromMatrix(m), 0.55, { top: 3 });
  expect(picked.map((p) => [p.query, p.trueRank])).toEqual([[1, 3], [3, 2], [2, 1], [0, 1]]);
  expect(picked[0].results.map((r) => r.gallery)).toEqual([2, 0, 1]);
  expect(picked[0].results.map((r) => r.match)).toEqual([true, true, false]);
  expect(picked[0].results.map((r) => r.isTrue)).toEqual([false, false, true]);
  expect(picked[0].results.map((r) => r.rank)).toEqual([1, 2, 3]);
  expect(picked[0].truePair).toEqual({ gallery: 1, rank: 3, score: 0.5, match: false, isTrue: true });
  // Without a threshold (an uncalibrated run) the same ranking, and no verdict anywhere.
  const bare = pickExamples(4, fromMatrix(m), null, { top: 3 });
  expect(bare.map((p) => [p.query, p.trueRank])).toEqual([[1, 3], [3, 2], [2, 1], [0, 1]]);
  expect(bare.flatMap((p) => [...p.results, p.truePair]).every((r) => r.match === null)).toBe(true);
});

it('puts items tied with the true pair ahead of it, as the metrics count them, and stops at max', () => {
  const tie = pickExamples(2, fromMatrix([[0.7, 0.7], [0.7, 0.7]]), 0.5);
  expect(tie.every((p) => p.trueRank === 2)).toBe(true);
  expect(tie[0].results.map((r) => r.isTrue)).toEqual([false, true]);
  const many = pickExamples(12, (q, g) => (q === g ? 1 : 0), 0.5, { max: 8, top: 5 });
  expect(many).toHaveLength(8);
  expect(many[0].results).toHaveLength(5);
});
