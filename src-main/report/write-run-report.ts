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
 * appears whole or not at all: it is written beside its final name and renamed.
 * @throws RunNotFoundError for an unknown run; an AbortError when `signal` aborts.
 */
export async function writeRunReport(db: Db, runId: number, outFile: string, opts: ReportOptions = {}): Promise<ReportSummary> {
  const file = path.resolve(outFile);
  // Fail on a missing library before minutes of measuring, not after.
  const chartJs = readChartJsUmd();
  const data = await gatherReportData(db, runId, opts);
  opts.signal?.throwIfAborted();
  const html = renderReportHtml(data, chartJs);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await fs.writeFile(tmp, html, 'utf8');
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
