import { getRun } from '../catalog/runs.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';
import type { RunTaskWorkerClient } from './run-task-in-worker.ts';

/** Run page jobs share a lane: an evaluation and an export at once would split two cores and both crawl. */
const RUN_TASK_LANE = 'run-task';

/** The run page's jobs: held-out evaluation, report and export, each a job of the runner answered by its worker. */
export function runTaskHandlers(ctx: ServiceContext, jobs: JobRunner, worker: RunTaskWorkerClient): Pick<Handlers, 'runs:task'> {
  return {
    'runs:task': (task) => {
      // Refused at once (not as a failed job) when the run does not exist or the task is not one of the three.
      if (!task || !['evaluate', 'report', 'export'].includes(task.kind)) throw Object.assign(new Error('a run task is evaluate, report or export'), { code: 'BAD_TASK' });
      if (task.kind === 'evaluate' && !(typeof task.folder === 'string' && task.folder.trim())) {
        throw Object.assign(new Error('choose the paired folder to evaluate on (one with left/ and right/)'), { code: 'NO_FOLDER' });
      }
      getRun(ctx.db, task.runId);
      return {
        jobId: jobs.start({
          kind: 'run-task',
          lane: RUN_TASK_LANE,
          about: { runId: task.runId, task: task.kind, folder: task.kind === 'evaluate' ? task.folder : undefined },
          run: (job) =>
            worker.run(task, {
              signal: job.signal,
              onProgress: (p) => {
                job.progress(p);
                ctx.emit('runs:taskProgress', { jobId: job.jobId, ...p });
              },
            }),
          end: (outcome, jobId) => {
            if (outcome.state === 'done') ctx.emit('runs:taskDone', { jobId, result: outcome.value });
            else ctx.emit('runs:taskFailed', { jobId, error: outcome.state === 'cancelled' ? { code: 'CANCELLED', message: 'cancelled' } : outcome.error });
          },
        }),
      };
    },
  };
}
