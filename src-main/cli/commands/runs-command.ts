import type { RunSummary } from '../../../src-shared/training-types.ts';
import { listRuns } from '../../catalog/runs.ts';
import { findDataset } from '../../catalog/datasets.ts';
import { printJson, type Command } from '../command.ts';
import { uncalibratedAdvice } from '../../../src-shared/calibration-policy.ts';

/** A run as `--json` prints it: snake_case epoch fields, as the epoch lines of `train --json`. */
export function runJson(run: RunSummary) {
  const { epochs, ...rest } = run;
  return { ...rest, epochs: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, val_loss: e.valLoss, seconds: e.seconds })) };
}

/** The run's threshold and open-set rates in one line, or why it has none. */
export function describeCalibration(run: RunSummary): string | null {
  if (!run.metrics) return null;
  const c = run.metrics.calibration;
  if (c.state === 'uncalibrated') return `    match threshold: ${uncalibratedAdvice(c)}`;
  const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);
  const rule = c.rule === 'max-f1' ? 'max F1 on val (trained before open-set calibration)' : `false-match rate ≤ ${c.targetFalseMatchRate} on ${c.valPairs} val pairs`;
  return `    tau ${run.metrics.tau?.toFixed(3)} (${rule}); on test: false-match rate ${pct(c.falseMatchRate)}, true-match rate ${pct(c.trueMatchRate)}`;
}

/** One paragraph about a run for people. */
export function describeRun(run: RunSummary): string {
  const c = run.config;
  const status = run.interrupted ? 'interrupted (resume it)' : run.status;
  const last = run.epochs.at(-1);
  const calibration = describeCalibration(run);
  return (
    `run ${run.id}${run.name ? ` "${run.name}"` : ''}  ${status}  dataset "${run.datasetName}"  ${run.epochsDone}/${c.epochs} epochs` +
    `${last ? `  loss ${last.loss.toFixed(4)}  val_loss ${last.valLoss === null ? '—' : last.valLoss.toFixed(4)}` : ''}\n` +
    `    ${c.backbone} ${c.mode}, mining ${c.mining}, ${c.distance}, margin ${c.margin}, lr ${c.learningRate}, batch ${c.batchSize}, pooling ${c.pooling}, seed ${c.seed}\n` +
    `    backend ${run.backend}; weights ${run.weightsSource}; started ${run.createdAt}` +
    `${calibration ? `\n${calibration}` : ''}` +
    `${run.error ? `\n    error: ${run.error}` : ''}`
  );
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list training runs with their status and last losses',
  usage: '[--dataset NAME] [--json]',
  help: '  --dataset NAME   only the runs of one dataset\n  --json           print a JSON array of runs with their epochs',
  options: { dataset: { type: 'string' } },
  positionals: [0, 0],
  async run(ctx) {
    const db = ctx.catalog();
    const datasetId = ctx.values.dataset ? findDataset(db, ctx.values.dataset as string).id : undefined;
    const runs = listRuns(db, { datasetId });
    if (ctx.json) return printJson(ctx.out, runs.map(runJson));
    if (!runs.length) ctx.out.write('No runs yet. Train one: lookalike train DATASET\n');
    for (const r of runs) ctx.out.write(`${describeRun(r)}\n`);
  },
};
