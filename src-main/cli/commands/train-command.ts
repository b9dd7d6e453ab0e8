import type { RunSummary, TrainProgress } from '../../../src-shared/training-types.ts';
import { trainInWorker } from '../../training/train-in-worker.ts';
import type { TrainingJob } from '../../training/train-worker-messages.ts';
import { printJson, runIdArgument, type Command, type CommandContext } from '../command.ts';
import { formatSeconds, ProgressBar } from '../progress-bar.ts';
import { trainFlagHelp, trainFlagOptions, trainFlagUsage, trainRequestFromFlags, weightsFlagHelp } from '../train-flags.ts';
import { describeRun, runJson } from './runs-command.ts';

const WEIGHT_OPTIONS = { weights: { type: 'string' }, 'download-weights': { type: 'boolean' } } as const;

function weightsOf(ctx: CommandContext): TrainingJob['weights'] {
  return { weightsPath: ctx.values.weights as string | undefined, allowDownload: Boolean(ctx.values['download-weights']) };
}

/**
 * Runs a training job in a worker and shows it: JSON lines per epoch with --json, else a progress bar and one
 * line per epoch on stderr. Ctrl-C cancels between batches; the run stays in the catalog, resumable.
 */
export async function runTrainingJob(ctx: CommandContext, job: TrainingJob): Promise<number> {
  const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err, delayMs: 0, intervalMs: ctx.err && 'isTTY' in ctx.err && ctx.err.isTTY ? 200 : 5000 });
  const say = (line: string) => {
    bar?.finish();
    ctx.err.write(`${line}\n`);
  };
  const run: RunSummary = await trainInWorker(ctx.catalogPath, job, {
    signal: ctx.signal,
    log: say,
    onRunCreated: (id) => !ctx.json && say(`run ${id} started (lookalike resume ${id} continues it if interrupted)`),
    onProgress: (p: TrainProgress) => {
      if (!bar) return;
      if (p.phase === 'features') bar.update('backbone features', p.done, p.total);
      else if (p.phase === 'train') bar.update(`epoch ${p.epoch}/${p.epochs}`, p.batch, p.batches, `loss ${p.loss.toFixed(4)}  run ETA ${formatSeconds(p.etaSeconds)}`);
    },
    onEpoch: (_runId, row) => {
      if (ctx.json) printJson(ctx.out, { epoch: row.epoch, loss: row.loss, val_loss: row.valLoss, seconds: row.seconds });
      else say(`epoch ${row.epoch}: loss ${row.loss.toFixed(4)}  val_loss ${row.valLoss === null ? '—' : row.valLoss.toFixed(4)}  (${row.seconds.toFixed(1)} s)`);
    },
  });
  bar?.finish();
  if (ctx.json) printJson(ctx.out, { run: runJson(run) });
  else ctx.out.write(`${describeRun(run)}\n`);
  return run.status === 'cancelled' ? 130 : run.status === 'failed' ? 1 : 0;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a siamese network on a dataset (in a worker; Ctrl-C cancels, resume continues)',
  usage: `DATASET ${trainFlagUsage()} [--json]`,
  // Every hyperparameter flag comes from src-shared/train-options.ts: its help, bounds and default.
  help: `${trainFlagHelp()}
${weightsFlagHelp()}
  --json            one JSON line per epoch ({"epoch":1,"loss":…,"val_loss":…}), then {"run":{…}}
The defaults were chosen on evidence (README, "Choosing the defaults"). The compute backend is chosen once
(tfjs-node-gpu → tfjs-node → wasm → cpu; LOOKALIKE_BACKEND forces one) and printed on stderr.`,
  options: { ...trainFlagOptions(), ...WEIGHT_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const request = trainRequestFromFlags(ctx);
    ctx.catalog(); // create/migrate the catalog here, so the worker never races a migration
    return runTrainingJob(ctx, { kind: 'new', dataset: ctx.positionals[0], request, weights: weightsOf(ctx) });
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue a cancelled, failed or interrupted run from its last checkpoint',
  usage: 'RUN [--force] [--json]',
  help:
    '  --force   take the run over even though it says running and its owner renewed its lease lately\n' +
    '            (only when you know that process is gone: the lease would expire on its own within 90 s)\n' +
    '  --json    one JSON line per epoch, then {"run":{…}}\n  --weights FILE / --download-weights as for train',
  options: { ...WEIGHT_OPTIONS, force: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const runId = runIdArgument(ctx.positionals[0]);
    ctx.catalog();
    return runTrainingJob(ctx, { kind: 'resume', runId, weights: weightsOf(ctx), force: Boolean(ctx.values.force) });
  },
};
