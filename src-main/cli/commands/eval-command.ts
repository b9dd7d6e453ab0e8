import path from 'node:path';
import { evaluateFolder, evaluationJson, type FolderEvaluation, type Scorer } from '../../eval/evaluate-folder.ts';
import { runEmbedder, untrainedEmbedder } from '../../model-store/embedder.ts';
import { getRun } from '../../catalog/runs.ts';
import { backboneIds, OFFLINE_BACKBONE } from '../../ml/backbones/registry.ts';
import type { BackboneId } from '../../../src-shared/train-options.ts';
import { printJson, runIdArgument, UsageError, type Command, type CommandContext } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';

type Column = { label: string; evaluation: FolderEvaluation; tau: number | null };

async function measure(ctx: CommandContext, folder: string, label: string, make: () => Promise<Scorer>, tau: number | null): Promise<Column> {
  const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
  const scorer = await make();
  try {
    const evaluation = await evaluateFolder(folder, scorer, { tau: tau ?? undefined, signal: ctx.signal, onProgress: (d, t) => bar?.update(label, d, t) });
    return { label, evaluation, tau };
  } finally {
    bar?.finish();
    if (scorer.kind === 'embedder') scorer.embedder.dispose();
  }
}

function table(columns: Column[]): string {
  const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const rows: [string, (c: Column) => string][] = [
    ['Recall@1', (c) => fmt(c.evaluation.scores.recall['1'])],
    ['Recall@5', (c) => fmt(c.evaluation.scores.recall['5'])],
    ['Recall@10', (c) => fmt(c.evaluation.scores.recall['10'])],
    ['MRR', (c) => fmt(c.evaluation.scores.mrr)],
    ['ROC AUC', (c) => fmt(c.evaluation.scores.rocAuc)],
    ['tau', (c) => fmt(c.tau ?? c.evaluation.bestTau)],
    ['F1 at tau', (c) => fmt(c.tau === null ? c.evaluation.bestF1 : c.evaluation.f1AtTau)],
  ];
  const width = Math.max(12, ...columns.map((c) => c.label.length + 2));
  const head = ''.padEnd(11) + columns.map((c) => c.label.padStart(width)).join('');
  return [head, ...rows.map(([name, get]) => name.padEnd(11) + columns.map((c) => get(c).padStart(width)).join(''))].join('\n');
}

export const evalCommand: Command = {
  name: 'eval',
  summary: "measure a run (or a baseline) on an outside paired folder, without importing it",
  usage: 'RUN --pairs FOLDER [--json]  |  eval --baseline phash|untrained [--backbone B] --pairs FOLDER [--json]',
  help: `Gallery = FOLDER/left, queries = FOLDER/right; the same name is the true match. Nothing is imported.
  --pairs FOLDER   the paired folder to measure on (e.g. samples/brands-heldout: brands never trained on)
  --baseline B     phash (a perceptual hash) or untrained (the backbone's ImageNet features, no training)
  --backbone B     the backbone of the untrained baseline: ${backboneIds().join(', ')} (default: the run's, else ${OFFLINE_BACKBONE})
  --no-baselines   with RUN: skip the two baselines printed beside it
  --json           one object: {"queries":N,"gallery":N,"recall":{"1":…,"5":…,"10":…},"mrr":…,"roc_auc":…,"tau":…}
                   (with RUN and baselines: plus "baselines":{"phash":{…},"untrained":{…}})
tau is the run's calibrated threshold (for a baseline: the best threshold on this folder); F1 is measured at it.`,
  options: { pairs: { type: 'string' }, baseline: { type: 'string' }, backbone: { type: 'string' }, 'no-baselines': { type: 'boolean' } },
  positionals: [0, 1],
  async run(ctx) {
    const pairs = ctx.values.pairs as string | undefined;
    if (!pairs) throw new UsageError('--pairs FOLDER is required');
    const folder = path.resolve(pairs);
    const baseline = ctx.values.baseline as string | undefined;
    const backboneFlag = ctx.values.backbone as BackboneId | undefined;
    if (backboneFlag !== undefined && !backboneIds().includes(backboneFlag)) throw new UsageError(`--backbone takes one of ${backboneIds().join(', ')}, not "${backboneFlag}"`);
    if (baseline !== undefined && baseline !== 'phash' && baseline !== 'untrained') throw new UsageError(`--baseline takes phash or untrained, not "${baseline}"`);
    if ((baseline === undefined) === (ctx.positionals.length === 0)) throw new UsageError('give either a RUN or --baseline, not both');
    const db = ctx.catalog();
    const phashColumn = () => measure(ctx, folder, 'pHash', async () => ({ kind: 'phash' }), null);
    const untrainedColumn = (b: BackboneId) =>
      measure(ctx, folder, `untrained ${b}`, async () => ({ kind: 'embedder', embedder: await untrainedEmbedder(db, b) }), null);

    if (baseline) {
      const column = baseline === 'phash' ? await phashColumn() : await untrainedColumn(backboneFlag ?? OFFLINE_BACKBONE);
      if (ctx.json) return printJson(ctx.out, { baseline, ...evaluationJson(column.evaluation, null) });
      ctx.out.write(`${column.evaluation.scores.queries} queries against ${column.evaluation.scores.gallery} gallery images of ${folder}\n${table([column])}\n`);
      return;
    }
    const run = getRun(db, runIdArgument(ctx.positionals[0]));
    const tau = run.metrics?.tau ?? null;
    const trained = await measure(ctx, folder, `run ${run.id}`, async () => ({ kind: 'embedder', embedder: await runEmbedder(db, run.id) }), tau);
    const others = ctx.values['no-baselines'] ? [] : [await phashColumn(), await untrainedColumn(backboneFlag ?? run.config.backbone)];
    if (ctx.json) {
      const out: Record<string, unknown> = { run: run.id, ...evaluationJson(trained.evaluation, tau) };
      if (others.length) out.baselines = { phash: evaluationJson(others[0].evaluation, null), untrained: evaluationJson(others[1].evaluation, null) };
      return printJson(ctx.out, out);
    }
    const e = trained.evaluation;
    ctx.out.write(`${e.scores.queries} queries (right/) against ${e.scores.gallery} gallery images (left/) of ${folder}` +
      `${e.problems.length ? `; ${e.problems.length} files not usable` : ''}\n\n${table([trained, ...others])}\n`);
    if (tau === null) ctx.out.write('\n(run has no calibrated tau: its dataset had no val/test pairs; the best tau on this folder is shown)\n');
  },
};
