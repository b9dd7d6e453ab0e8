import type { BatchResult } from '../../src-shared/batch-types.ts';

/** The CSV's columns: one row per query image and hit; a file that could not be queried gets one row with its problem. */
export const BATCH_CSV_COLUMNS = ['query_file', 'rank', 'hit_dataset', 'hit_pair', 'hit_side', 'hit_path', 'score', 'match', 'problem'] as const;

/**
 * One field, quoted when it must be (RFC 4180). A text that a spreadsheet would run as a formula (=, +, -, @ at the
 * start: file names come from anyone) gets a leading apostrophe; numbers are left as they are.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A finished batch as CSV text (UTF-8, CRLF line ends as RFC 4180 and spreadsheets expect). */
export function batchCsv(result: BatchResult): string {
  const lines = [BATCH_CSV_COLUMNS.join(',')];
  const row = (fields: Array<string | number | boolean | null>) => lines.push(fields.map(csvField).join(','));
  for (const item of result.items) {
    if (!item.hits.length) row([item.file, null, null, null, null, null, null, null, 'no catalog images to compare with']);
    for (const h of item.hits) row([item.file, h.rank, h.datasetName, h.pairName, h.side, h.path, h.score.toFixed(6), h.match, null]);
  }
  for (const u of result.unusable) row([u.file, null, null, null, null, null, null, null, `${u.code}: ${u.reason}`]);
  return `${lines.join('\r\n')}\r\n`;
}
