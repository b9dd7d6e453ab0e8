import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import { readChartJsUmd } from './chartjs-source.ts';
import { gatherReportData, type ReportProgress } from './gather-report-data.ts';
import { renderReportHtml } from './render-report.ts';

export type { ReportProgress } from './gather-report-data.ts';

/** Options of {@link writeRunReport}. */
export interface ReportOptions {
  onProgress?: (p: ReportProgress) => void;
  signal?: AbortSignal;
  /** Replace `outFile` even if it is not a report Lookalike wrote. */
  force?: boolean;
}

/** `--out` names a file the user has and Lookalike did not write: it is never replaced without `force`. */
export class OutFileExistsError extends Error {
  readonly code = 'OUT_FILE_EXISTS';
}

/** What every report's head carries (render-report.ts), so a later report may replace an earlier one. */
const REPORT_MARK = '<meta name="generator" content="Lookalike">';

/** Refuses an out file that exists and is not one of our reports (unless forced) — checked before minutes of work. */
async function checkOutFile(file: string, force: boolean): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return;
  if (stat.isDirectory()) throw new OutFileExistsError(`${file} is a folder: --out names the HTML file to write`);
  if (force) return;
  const head = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK).then(async (h) => {
    try {
      if (!(await h.stat()).isFile()) return '';
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await h.read(buf, 0, buf.length, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await h.close();
    }
  }, () => '');
  if (!head.includes(REPORT_MARK)) {
    throw new OutFileExistsError(`${file} already exists and is not a report Lookalike wrote: choose another --out, or add --force to replace it`);
  }
}

/** What a written report holds. */
export interface ReportSummary {
  /** Absolute path of the HTML file. */
  path: string;
  bytes: number;
  runId: number;
  epochs: number;
  testPairs: number;
  /** Example queries shown, and how many of them are misses (listed first). */
  examples: number;
  misses: number;
  /** Columns of the comparison that could not be measured, with the reason. */
  unmeasured: Array<{ column: string; reason: string }>;
}

/**
 * Writes a run's report — configuration, training curves, test metrics beside the untrained-backbone and pHash
 * baselines, example queries — as one self-contained HTML file that opens offline and can be mailed. The file
 * appears whole or not at all: it is written beside its final name and renamed. An existing file is replaced only
 * if it is a report Lookalike wrote, or with `force`.
 * @throws RunNotFoundError for an unknown run; an AbortError when `signal` aborts.
 */
export async function writeRunReport(db: Db, runId: number, outFile: string, opts: ReportOptions = {}): Promise<ReportSummary> {
  const file = path.resolve(outFile);
  await checkOutFile(file, opts.force ?? false);
  // Fail on a missing library before minutes of measuring, not after.
  const chartJs = readChartJsUmd();
  const data = await gatherReportData(db, runId, opts);
  opts.signal?.throwIfAborted();
  const html = renderReportHtml(data, chartJs);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await fs.writeFile(tmp, html, 'utf8');
    // Again: measuring took minutes, in which the user may have put a file there.
    await checkOutFile(file, opts.force ?? false);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return {
    path: file,
    bytes: Buffer.byteLength(html, 'utf8'),
    runId,
    epochs: data.run.epochs.length,
    testPairs: data.pairs.test,
    examples: data.examples.length,
    misses: data.examples.filter((x) => x.trueRank > 1).length,
    unmeasured: data.columns.filter((c) => c.error).map((c) => ({ column: c.label, reason: c.error! })),
  };
}
