import type { RunSummary, TrainProgress, TrainRequest } from '../../../src-shared/training-types.ts';
import { TRAIN_DEFAULTS as D } from '../../../src-shared/train-defaults.ts';
import { trainInWorker } from '../../training/train-in-worker.ts';
import type { TrainingJob } from '../../training/train-worker-messages.ts';
import { printJson, runIdArgument, UsageError, type Command, type CommandContext } from '../command.ts';
import { formatSeconds, ProgressBar } from '../progress-bar.ts';
import { describeRun, runJson } from './runs-command.ts';

function numberFlag(ctx: CommandContext, flag: string): number | undefined {
  const raw = ctx.values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} takes a number, not "${raw}"`);
  return n;
}

function choiceFlag<T extends string>(ctx: CommandContext, flag: string, choices: readonly T[]): T | undefined {
  const raw = ctx.values[flag] as string | undefined;
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${flag} takes one of ${choices.join(', ')}, not "${raw}"`);
  return raw as T;
}

const WEIGHT_OPTIONS = { weights: { type: 'string' }, 'download-weights': { type: 'boolean' } } as const;

function weightsOf(ctx: CommandContext): TrainingJob['weights'] {
  return { resnet50Path: ctx.values.weights as string | undefined, allowDownload: Boolean(ctx.values['download-weights']) };
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
  usage:
    `DATASET [--backbone resnet50|mobilenetv2] [--mode head|finetune] [--epochs ${D.epochs}] [--batch-size N] [--lr ${D.learningRate}] ` +
    `[--margin ${D.margin}] [--mining random|semihard|hard] [--pooling flatten|avg] [--distance l1|l2sq|cosine] [--seed N] [--symmetric] [--augment N] [--json]`,
  help: `  --backbone B      resnet50 (the original; needs Keras's ImageNet weights) or mobilenetv2 (offline, ships with
                    the app). Default: resnet50 when its weights are found, else mobilenetv2 with a notice.
  --weights FILE    resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 (else ~/.keras/models is searched)
  --download-weights  allow downloading ResNet50's weights (~94 MB) into the app's cache
  --mode M          head: backbone frozen, features cached, only the head trains (default on CPU);
                    finetune: layers from the backbone's freeze point on train too (default on GPU)
  --epochs N        total epochs (default ${D.epochs}; the notebook: 20)
  --batch-size N    pairs per batch (default ${D.batchSize.head} in head mode, ${D.batchSize.finetune} in finetune mode)
  --lr X            Adam learning rate (default ${D.learningRate}; the notebook: 1e-4)
  --margin X        triplet margin (default ${D.margin})
  --mining M        negatives: random (the notebook), semihard, hard (closest in the batch); default ${D.mining}
  --pooling P       flatten (the notebook) or avg, for backbones whose features are a map (resnet50); default ${D.pooling}
  --distance D      l1 (the notebook), l2sq or cosine; default ${D.distance}
  --seed N          seed of the head's initial weights, the batches and the mining (default ${D.seed})
  --symmetric       also train each pair reversed (anchor = right, negatives = other lefts), the direction of a
                    query: a look-alike searched among logos
  --augment N       N synthetic look-alikes per training logo (recoloured, rotated, blurred, JPEG), each an extra
                    pair; made once into augment/ beside the catalog (default ${D.augment})
  --json            one JSON line per epoch ({"epoch":1,"loss":…,"val_loss":…}), then {"run":{…}}
The defaults were chosen on evidence (README, "Choosing the defaults"). The compute backend is chosen once
(tfjs-node-gpu → tfjs-node → wasm → cpu; LOOKALIKE_BACKEND forces one) and printed on stderr.`,
  options: {
    backbone: { type: 'string' },
    mode: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    margin: { type: 'string' },
    mining: { type: 'string' },
    pooling: { type: 'string' },
    distance: { type: 'string' },
    seed: { type: 'string' },
    symmetric: { type: 'boolean' },
    augment: { type: 'string' },
    ...WEIGHT_OPTIONS,
  },
  positionals: [1, 1],
  async run(ctx) {
    const request: TrainRequest = {
      backbone: choiceFlag(ctx, 'backbone', ['resnet50', 'mobilenetv2'] as const),
      mode: choiceFlag(ctx, 'mode', ['head', 'finetune'] as const),
      epochs: numberFlag(ctx, 'epochs'),
      batchSize: numberFlag(ctx, 'batch-size'),
      learningRate: numberFlag(ctx, 'lr'),
      margin: numberFlag(ctx, 'margin'),
      mining: choiceFlag(ctx, 'mining', ['random', 'semihard', 'hard'] as const),
      pooling: choiceFlag(ctx, 'pooling', ['flatten', 'avg'] as const),
      distance: choiceFlag(ctx, 'distance', ['l1', 'l2sq', 'cosine'] as const),
      seed: numberFlag(ctx, 'seed'),
      symmetric: ctx.values.symmetric === undefined ? undefined : Boolean(ctx.values.symmetric),
      augment: numberFlag(ctx, 'augment'),
    };
    for (const key of Object.keys(request) as (keyof TrainRequest)[]) if (request[key] === undefined) delete request[key];
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
