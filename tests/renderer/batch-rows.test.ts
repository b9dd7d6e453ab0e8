import { describe, expect, it } from 'vitest';
import { batchRows, rowFile } from '../../src-renderer/src/lib/batch-rows.ts';
import type { BatchItem, BatchResult } from '../../src-shared/batch-types.ts';

const item = (file: string, bestScore: number | null, match: boolean): BatchItem => ({ file, sha256: file, thumbnail: '', hits: [], bestScore, match, queryPair: null });
const result: BatchResult = {
  runId: 1,
  tau: 0.5,
  items: [item('b.jpg', 0.4, false), item('a.jpg', 0.9, true), item('c.png', 0.7, true)],
  unusable: [{ file: 'bad.png', code: 'NOT_AN_IMAGE', reason: 'text' }],
};
const files = (opts: Parameters<typeof batchRows>[1]) => batchRows(result, opts).map(rowFile);

describe('the batch triage table', () => {
  it('sorts by best score (bad files last when descending), by name, by verdict', () => {
    expect(files({ filter: 'all', text: '', sort: 'score', descending: true })).toEqual(['a.jpg', 'c.png', 'b.jpg', 'bad.png']);
    expect(files({ filter: 'all', text: '', sort: 'file', descending: false })).toEqual(['a.jpg', 'b.jpg', 'bad.png', 'c.png']);
    expect(files({ filter: 'all', text: '', sort: 'verdict', descending: true })).toEqual(['a.jpg', 'c.png', 'b.jpg', 'bad.png']);
  });

  it('filters by verdict and by a text in the file name', () => {
    expect(files({ filter: 'match', text: '', sort: 'score', descending: true })).toEqual(['a.jpg', 'c.png']);
    expect(files({ filter: 'no-match', text: '', sort: 'score', descending: true })).toEqual(['b.jpg']);
    expect(files({ filter: 'problem', text: '', sort: 'score', descending: true })).toEqual(['bad.png']);
    expect(files({ filter: 'all', text: 'PNG', sort: 'file', descending: false })).toEqual(['bad.png', 'c.png']);
    expect(batchRows(null, { filter: 'all', text: '', sort: 'score', descending: true })).toEqual([]);
  });
});
