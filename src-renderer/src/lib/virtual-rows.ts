/** The rows a virtual scroller renders, and where. */
export interface RowWindow {
  /** First row rendered. */
  start: number;
  /** One past the last row rendered. */
  end: number;
  /** Pixels above the first rendered row. */
  offset: number;
  /** Height of all rows, so the scrollbar is right. */
  total: number;
}

/**
 * Which rows of a fixed-row-height list are visible in the viewport, plus `overscan` rows on each side so a fast
 * scroll does not show a blank edge before the next frame renders.
 */
export function visibleRows(opts: { scrollTop: number; viewport: number; rowHeight: number; rows: number; overscan?: number }): RowWindow {
  const { rowHeight, rows } = opts;
  const overscan = opts.overscan ?? 3;
  const total = rows * rowHeight;
  if (rows === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const top = Math.max(0, Math.min(opts.scrollTop, Math.max(0, total - opts.viewport)));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(opts.viewport, 0)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(rows, Math.max(last, first + 1) + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** How many cards of `minWidth` (plus `gap`) fit across `width`: at least one. */
export function columnsFor(width: number, minWidth: number, gap: number): number {
  return Math.max(1, Math.floor((width + gap) / (minWidth + gap)));
}
