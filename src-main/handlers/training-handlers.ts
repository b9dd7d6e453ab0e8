import { getRun, listRuns } from '../catalog/runs.ts';
import { trainInWorker } from '../training/train-in-worker.ts';
import { trainingBackendLine } from '../training/backend-in-worker.ts';
import type { TrainingJob } from '../training/train-worker-messages.ts';
import type { Handlers, ServiceContext } from './handler-types.ts';
import type { JobRunner } from './job-runner.ts';
import { FeatureRates } from './feature-estimate.ts';
import { estimateTraining } from './training-estimate.ts';

type TrainingHandlers = Pick<Handlers, 'training:backend' | 'training:start' | 'training:resume' | 'training:cancel' | 'training:estimate' | 'runs:list' | 'runs:get'>;

/** Trainings share one lane: two at once would split the machine's cores and both crawl. */
const TRAINING_LANE = 'training';

/** The training area: jobs of the runner, queued one after another, run in the training worker. */
export function trainingHandlers(ctx: ServiceContext, jobs: JobRunner, rates = new FeatureRates()): TrainingHandlers {
  let backend: Promise<string> | undefined;
  const start = (job: TrainingJob) => {
    // The run's settings, once it exists: what a measured extraction rate is kept under.
    let runOfJob: number | undefined = job.kind === 'resume' ? job.runId : undefined;
    const configOfJob = () => {
      try {
        return runOfJob === undefined ? undefined : getRun(ctx.db, runOfJob).config;
      } catch {
        return undefined; // removed meanwhile: nothing to keep the rate under
      }
    };
    const jobId = jobs.start({
      kind: 'training',
      lane: TRAINING_LANE,
      about: job.kind === 'new' ? { datasetId: typeof job.dataset === 'number' ? job.dataset : undefined } : { runId: job.runId },
      run: (control) =>
        trainInWorker(ctx.catalogPath, job, {
          signal: control.signal,
          log: (line) => ctx.emit('training:log', { jobId: control.jobId, line }),
          onRunCreated: (runId) => {
            runOfJob = runId;
            control.about({ runId });
            ctx.emit('training:run', { jobId: control.jobId, runId });
          },
          onProgress: (progress) => {
            control.progress(progress);
            rates.observe(control.jobId, progress, configOfJob);
            ctx.emit('training:progress', { jobId: control.jobId, progress });
          },
          onEpoch: (runId, row) => ctx.emit('training:epoch', { jobId: control.jobId, runId, row }),
        }).finally(() => rates.settle(control.jobId, configOfJob)),
      // The trainer stops between batches and returns the run, status `cancelled`, with the epochs it finished.
      settledAs: (run) => (run.status === 'cancelled' ? 'cancelled' : run.status === 'failed' ? 'failed' : 'done'),
      end: (outcome, id) => {
        if ('value' in outcome && outcome.value) ctx.emit('training:done', { jobId: id, run: outcome.value });
        else ctx.emit('training:failed', { jobId: id, error: 'error' in outcome ? outcome.error : { code: 'FAILED', message: 'training failed' } });
      },
    });
    return { jobId, state: jobs.stateOf(jobId) ?? 'running' };
  };
  return {
    // Asked of a short-lived training worker, so the line is the one training uses and tfjs stays out of this
    // process; the answer cannot change while the process lives, so it is asked once.
    'training:backend': async () => {
      backend ??= trainingBackendLine(ctx.catalogPath).catch((e) => {
        backend = undefined;
        throw e;
      });
      return { line: await backend };
    },
    'training:start': ({ datasetId, request }) => start({ kind: 'new', dataset: datasetId, request }),
    'training:resume': ({ runId }) => start({ kind: 'resume', runId }),
    'training:cancel': ({ jobId }) => {
      jobs.cancel(jobId);
    },
    'training:estimate': (args) => estimateTraining(ctx.db, rates, args),
    'runs:list': ({ datasetId } = {}) => listRuns(ctx.db, { datasetId }),
    'runs:get': ({ runId }) => getRun(ctx.db, runId),
  };
}
