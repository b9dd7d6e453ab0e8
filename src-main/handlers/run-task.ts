import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import { getRun } from '../catalog/runs.ts';
import { catalogDataDir } from '../catalog/catalog-path.ts';
import { evaluateFolder, evaluationJson, type Scorer } from '../eval/evaluate-folder.ts';
import { runEmbedder, untrainedEmbedder } from '../model-store/embedder.ts';
import { writeRunReport } from '../report/write-run-report.ts';
import { exportRun } from '../export/export-run.ts';
import type { ImportProblem } from '../../src-shared/catalog-types.ts';
import type { EvalColumn, RunTask, RunTaskProgress, RunTaskResult } from '../../src-shared/run-task-types.ts';

/** Where the run page's files go when the user names no folder: the folder Lookalike owns beside the catalog. */
export function defaultRunOutputDir(catalogPath: string, kind: 'reports' | 'exports'): string {
  return path.join(catalogDataDir(catalogPath), kind);
}

/**
 * Runs one run-page job on its own catalog connection (in the run-task worker): a held-out evaluation of the run
 * beside pHash and the untrained backbone, the HTML report, or the export. Each step reports progress and stops
 * when `signal` aborts.
 */
export async function runTask(
  db: Db,
  catalogPath: string,
  task: RunTask,
  opts: { signal?: AbortSignal; onProgress?: (p: RunTaskProgress) => void } = {},
): Promise<RunTaskResult> {
  const run = getRun(db, task.runId);
  if (task.kind === 'report') {
    const file = path.join(task.outDir ?? defaultRunOutputDir(catalogPath, 'reports'), `run-${run.id}-report.html`);
    const r = await writeRunReport(db, run.id, file, { signal: opts.signal, onProgress: opts.onProgress });
    return { kind: 'report', runId: run.id, file: r.path, bytes: r.bytes };
  }
  if (task.kind === 'export') {
    const dir = path.join(task.outDir ?? defaultRunOutputDir(catalogPath, 'exports'), `run-${run.id}`);
    // Replacing an earlier export is fine in Lookalike's own folder; in the user's, a folder with files is refused.
    const r = await exportRun(db, run.id, dir, { signal: opts.signal, onProgress: opts.onProgress, force: task.outDir === undefined });
    return { kind: 'export', runId: run.id, dir: r.dir, files: r.files.length };
  }
  const folder = path.resolve(task.folder);
  const columns: EvalColumn[] = [];
  let problems: ImportProblem[] = [];
  const measures: Array<[string, () => Promise<Scorer>, number | null]> = [
    [`run #${run.id}`, async () => ({ kind: 'embedder', embedder: await runEmbedder(db, run.id) }), run.metrics?.tau ?? null],
    ['pHash', async () => ({ kind: 'phash' }), null],
    [`untrained ${run.config.backbone} (${run.config.features ?? 'final'})`, async () => ({ kind: 'embedder', embedder: await untrainedEmbedder(db, run.config.backbone, {}, run.config.features ?? 'final') }), null],
  ];
  for (const [label, make, tau] of measures) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ step: label, done: 0, total: 1 });
    const scorer = await make();
    try {
      const e = await evaluateFolder(folder, scorer, { tau: tau ?? undefined, signal: opts.signal, onProgress: (done, total) => opts.onProgress?.({ step: label, done, total }) });
      // The same open-set numbers as `lookalike eval` prints for this column.
      const isRun = columns.length === 0;
      const open = evaluationJson(e, tau, isRun ? (tau === null ? 'uncalibrated' : 'calibrated') : 'none').open_set;
      columns.push({
        label,
        scores: e.scores,
        tau: tau ?? e.bestTau,
        f1AtTau: tau === null ? e.bestF1 : e.f1AtTau,
        openSet: { tau: open.tau, falseMatchRate: open.false_match_rate, trueMatchRate: open.true_match_rate, tunedOnFolder: !isRun },
      });
      problems = e.problems;
    } finally {
      if (scorer.kind === 'embedder') scorer.embedder.dispose();
    }
  }
  return { kind: 'evaluate', runId: run.id, folder, columns, problems };
}
