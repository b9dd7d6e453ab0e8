/** Options of a terminal progress bar. */
export interface ProgressBarOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Nothing is drawn until the work has taken this long: short jobs stay quiet. */
  delayMs?: number;
  /** Minimum time between two redraws. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * A progress bar on stderr: `label [#####.....] 12/40  30%  ETA 4s  current`. On a terminal it redraws one line;
 * on a pipe or a log file it writes a plain line every few seconds instead, so CI logs stay readable.
 */
export class ProgressBar {
  private readonly start: number;
  private lastDraw = 0;
  private drawn = false;
  private readonly o: Required<ProgressBarOptions>;

  constructor(opts: ProgressBarOptions) {
    const tty = Boolean(opts.stream.isTTY);
    this.o = { delayMs: 1000, intervalMs: tty ? 100 : 3000, now: Date.now, ...opts };
    this.start = this.o.now();
  }

  /** Reports progress; draws only when due. */
  update(label: string, done: number, total: number, current = ''): void {
    const now = this.o.now();
    if (now - this.start < this.o.delayMs) return;
    if (this.drawn && now - this.lastDraw < this.o.intervalMs && done < total) return;
    this.lastDraw = now;
    this.drawn = true;
    const line = this.render(label, done, total, current, now);
    if (this.o.stream.isTTY) this.o.stream.write(`\r\x1b[2K${line}`);
    else this.o.stream.write(`${line}\n`);
  }

  /** Ends the bar's line, if one was drawn. */
  finish(): void {
    if (this.drawn && this.o.stream.isTTY) this.o.stream.write('\n');
    this.drawn = false;
  }

  /** The text of one progress line; exported for tests through the instance. */
  render(label: string, done: number, total: number, current: string, now = this.o.now()): string {
    const width = 24;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 && total > done ? ` ETA ${formatSeconds((elapsed / done) * (total - done))}` : '';
    const counts = total > 0 ? ` ${done}/${total} ${String(Math.floor(frac * 100)).padStart(3)}%` : ` ${done}`;
    let line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${counts}${eta}`;
    const cols = this.o.stream.columns ?? 100;
    if (current) line += `  ${current}`;
    return line.length > cols - 1 ? `${line.slice(0, cols - 2)}…` : line;
  }
}

/** 75 → "1m15s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
