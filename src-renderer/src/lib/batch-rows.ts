import type { BatchItem, BatchResult, BatchUnusable } from '../../../src-shared/batch-types.ts';

/** One row of the triage table: a queried image, or a file that could not be queried. */
export type BatchRow = { kind: 'item'; item: BatchItem } | { kind: 'unusable'; unusable: BatchUnusable };

export type BatchSortKey = 'score' | 'file' | 'verdict';
export type BatchFilter = 'all' | 'match' | 'no-match' | 'problem';

/** The file a row is about. */
export const rowFile = (r: BatchRow) => (r.kind === 'item' ? r.item.file : r.unusable.file);

const verdictRank = (r: BatchRow) => (r.kind === 'unusable' ? 0 : r.item.match ? 2 : 1);
const scoreOf = (r: BatchRow) => (r.kind === 'item' ? (r.item.bestScore ?? -Infinity) : -Infinity);

/**
 * The rows to show: filtered by verdict and by a text in the file name (case-insensitive), sorted by the key;
 * ties keep the order the files were read in.
 */
export function batchRows(result: BatchResult | null, opts: { filter: BatchFilter; text: string; sort: BatchSortKey; descending: boolean }): BatchRow[] {
  if (!result) return [];
  const all: BatchRow[] = [...result.items.map((item) => ({ kind: 'item', item }) as const), ...result.unusable.map((unusable) => ({ kind: 'unusable', unusable }) as const)];
  const text = opts.text.trim().toLowerCase();
  const kept = all.filter((r) => {
    if (text && !rowFile(r).toLowerCase().includes(text)) return false;
    if (opts.filter === 'match') return r.kind === 'item' && r.item.match;
    if (opts.filter === 'no-match') return r.kind === 'item' && !r.item.match;
    if (opts.filter === 'problem') return r.kind === 'unusable';
    return true;
  });
  const cmp = (a: BatchRow, b: BatchRow) =>
    opts.sort === 'file' ? rowFile(a).localeCompare(rowFile(b)) : opts.sort === 'verdict' ? verdictRank(a) - verdictRank(b) || scoreOf(a) - scoreOf(b) : scoreOf(a) - scoreOf(b);
  const order = kept.map((r, i) => [r, i] as const);
  order.sort(([a, i], [b, j]) => (opts.descending ? cmp(b, a) : cmp(a, b)) || i - j);
  return order.map(([r]) => r);
}
