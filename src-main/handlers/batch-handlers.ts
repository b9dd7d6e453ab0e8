import { batchQuery } from '../search/batch-query.ts';
import type { QueryWorkerClient } from '../search/query-in-worker.ts';
import { batchCsv } from '../report/batch-csv.ts';
import { batchHtml } from '../report/batch-html.ts';
import { BATCH_EXPORT_FORMATS, type BatchResult } from '../../src-shared/batch-types.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';

type BatchHandlers = Pick<Handlers, 'query:batch' | 'query:batchResult' | 'query:batchExport'>;

/** Finished batches kept for export and for a reloaded page; older ones are forgotten (their CSV was the point). */
const KEPT = 8;

/**
 * Batch queries: jobs of the runner (id, per-file progress, cancel between files) answered by the same query worker
 * as single queries, so the model and the catalog's vectors load once. Results stay here for export by job id.
 */
export function batchHandlers(ctx: ServiceContext, jobs: JobRunner, worker: QueryWorkerClient): BatchHandlers {
  const results = new Map<string, { result: BatchResult; at: Date }>();
  const finished = (jobId: string) => {
    const kept = results.get(jobId);
    if (!kept) throw Object.assign(new Error('that batch is not kept any more (or never finished): run it again'), { code: 'BATCH_NOT_FOUND' });
    return kept;
  };
  return {
    'query:batch': (req) => ({
      jobId: jobs.start({
        kind: 'query-batch',
        about: { runId: typeof req?.runId === 'number' ? req.runId : undefined, datasetId: typeof req?.datasetId === 'number' ? req.datasetId : undefined },
        run: (job) =>
          batchQuery(req, (one, o) => worker.query(one, o), {
            signal: job.signal,
            onProgress: (p) => {
              job.progress(p);
              ctx.emit('query:batchProgress', { jobId: job.jobId, ...p });
            },
          }),
        end: (outcome, jobId) => {
          if (outcome.state === 'done') {
            results.set(jobId, { result: outcome.value, at: new Date() });
            while (results.size > KEPT) results.delete(results.keys().next().value!);
            ctx.emit('query:batchDone', { jobId, result: outcome.value });
          } else ctx.emit('query:batchFailed', { jobId, error: outcome.state === 'cancelled' ? { code: 'CANCELLED', message: 'batch query cancelled' } : outcome.error });
        },
      }),
    }),
    'query:batchResult': ({ jobId }) => finished(jobId).result,
    'query:batchExport': ({ jobId, format }) => {
      if (!BATCH_EXPORT_FORMATS.includes(format)) throw Object.assign(new Error(`a batch exports as ${BATCH_EXPORT_FORMATS.join(' or ')}, not ${String(format)}`), { code: 'BAD_EXPORT_FORMAT' });
      const { result, at } = finished(jobId);
      const stamp = at.toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return format === 'csv'
        ? { fileName: `lookalike-batch-${stamp}.csv`, mimeType: 'text/csv;charset=utf-8', text: batchCsv(result) }
        : { fileName: `lookalike-batch-${stamp}.html`, mimeType: 'text/html;charset=utf-8', text: batchHtml(ctx.db, result, { createdAt: at }) };
    },
  };
}
