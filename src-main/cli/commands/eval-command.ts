import path from 'node:path';
import { evaluateFolder, evaluationJson, type FolderEvaluation, type Scorer } from '../../eval/evaluate-folder.ts';
import { runEmbedder, untrainedEmbedder } from '../../model-store/embedder.ts';
import { getRun } from '../../catalog/runs.ts';
import { backboneIds, OFFLINE_BACKBONE } from '../../ml/backbones/registry.ts';
import type { BackboneId, FeatureRecipeId } from '../../../src-shared/train-options.ts';
import { TARGET_FALSE_MATCH_RATE, uncalibrated, uncalibratedAdvice } from '../../../src-shared/calibration-policy.ts';
import { printJson, runIdArgument, UsageError, type Command, type CommandContext } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';

/** One scorer's evaluation; `calibration` is the run's state, `none` for a baseline (its tau is tuned on the folder). */
type Column = { label: string; evaluation: FolderEvaluation; tau: number | null; calibration: 'calibrated' | 'uncalibrated' | 'none' };

async function measure(
  ctx: CommandContext,
  folder: string,
  label: string,
  make: () => Promise<Scorer>,
  tau: number | null,
  calibration: Column['calibration'] = 'none',
): Promise<Column> {
  const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
  const scorer = await make();
  try {
    const evaluation = await evaluateFolder(folder, scorer, { tau: tau ?? undefined, signal: ctx.signal, onProgress: (d, t) => bar?.update(label, d, t) });
    return { label, evaluation, tau, calibration };
  } finally {
    bar?.finish();
    if (scorer.kind === 'embedder') scorer.embedder.dispose();
  }
}

/** The open-set numbers a column shows: the run's at its tau, a baseline's at the tau tuned on the folder. */
function openSet(c: Column) {
  return evaluationJson(c.evaluation, c.tau, c.calibration).open_set;
}

function table(columns: Column[]): string {
  const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const rows: [string, (c: Column) => string][] = [
    ['Recall@1', (c) => fmt(c.evaluation.scores.recall['1'])],
    ['Recall@5', (c) => fmt(c.evaluation.scores.recall['5'])],
    ['Recall@10', (c) => fmt(c.evaluation.scores.recall['10'])],
    ['MRR', (c) => fmt(c.evaluation.scores.mrr)],
    ['ROC AUC', (c) => fmt(c.evaluation.scores.rocAuc)],
    ['tau', (c) => (c.calibration === 'uncalibrated' ? 'uncalibrated' : fmt(openSet(c).tau) + (c.calibration === 'none' ? '*' : ''))],
    ['false-match rate', (c) => fmt(openSet(c).false_match_rate)],
    ['true-match rate', (c) => fmt(openSet(c).true_match_rate)],
    [`TMR @ FMR ≤ ${TARGET_FALSE_MATCH_RATE}*`, (c) => fmt(c.evaluation.openSetTuned?.trueMatchRate ?? null)],
  ];
  // Each column as wide as its own label: one long label ("untrained mobilenetv2 (mid-multi-gem-polarity)") must
  // not stretch the others.
  const widths = columns.map((c) => Math.max(14, c.label.length + 2));
  const labelWidth = Math.max(...rows.map(([name]) => name.length)) + 1;
  const head = ''.padEnd(labelWidth) + columns.map((c, i) => c.label.padStart(widths[i])).join('');
  return [head, ...rows.map(([name, get]) => name.padEnd(labelWidth) + columns.map((c, i) => get(c).padStart(widths[i])).join(''))].join('\n');
}

/** What the table's open-set rows mean, printed under it. */
const OPEN_SET_NOTE = `false-match rate: share of queries that, with their true match removed from the gallery, still score ≥ tau;
true-match rate: share whose true match ranks first and scores ≥ tau. * = threshold tuned on this folder itself
(for the target false-match rate ${TARGET_FALSE_MATCH_RATE}): a best case to compare scorers by, not a calibration.`;

export const evalCommand: Command = {
  name: 'eval',
  summary: "measure a run (or a baseline) on an outside paired folder, without importing it",
  usage: 'RUN --pairs FOLDER [--json]  |  eval --baseline phash|untrained [--backbone B] --pairs FOLDER [--json]',
  help: `Gallery = FOLDER/left, queries = FOLDER/right; the same name is the true match. Nothing is imported.
  --pairs FOLDER   the paired folder to measure on (e.g. samples/brands-heldout: brands never trained on)
  --baseline B     phash (a perceptual hash) or untrained (the backbone's ImageNet features, no training)
  --backbone B     the backbone of the untrained baseline: ${backboneIds().join(', ')} (default: the run's, else ${OFFLINE_BACKBONE})
  --no-baselines   with RUN: skip the two baselines printed beside it
  --json           one object: {"queries":N,"gallery":N,"recall":{"1":…,"5":…,"10":…},"mrr":…,"roc_auc":…,"tau":…,
                   "calibration":"calibrated"|"uncalibrated"|"none","open_set":{"tau":…,"false_match_rate":…,
                   "true_match_rate":…,"target_false_match_rate":0.05,"tuned_on_this_folder":{…}}}
                   (with RUN and baselines: plus "baselines":{"phash":{…},"untrained":{…}})
tau is the run's calibrated threshold (null for an uncalibrated run); for a baseline the threshold is tuned on
this folder. open_set: each query is also scored against the gallery without its true match — false_match_rate
is the share still scoring ≥ tau, true_match_rate the share whose true match ranks first and scores ≥ tau.`,
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
    // A run is compared with its own features untrained (what training added); alone, the backbone's measured best.
    const untrainedColumn = (b: BackboneId, recipe?: FeatureRecipeId) =>
      measure(ctx, folder, `untrained ${b}${recipe ? ` (${recipe})` : ''}`, async () => ({ kind: 'embedder', embedder: await untrainedEmbedder(db, b, {}, recipe) }), null);

    if (baseline) {
      const column = baseline === 'phash' ? await phashColumn() : await untrainedColumn(backboneFlag ?? OFFLINE_BACKBONE);
      if (ctx.json) return printJson(ctx.out, { baseline, ...evaluationJson(column.evaluation, null, 'none') });
      ctx.out.write(`${column.evaluation.scores.queries} queries against ${column.evaluation.scores.gallery} gallery images of ${folder}\n${table([column])}\n${OPEN_SET_NOTE}\n`);
      return;
    }
    const run = getRun(db, runIdArgument(ctx.positionals[0]));
    const tau = run.metrics?.tau ?? null;
    const calibration = tau === null ? 'uncalibrated' : 'calibrated';
    const trained = await measure(ctx, folder, `run ${run.id}`, async () => ({ kind: 'embedder', embedder: await runEmbedder(db, run.id) }), tau, calibration);
    const others = ctx.values['no-baselines'] ? [] : [await phashColumn(), await untrainedColumn(backboneFlag ?? run.config.backbone, !backboneFlag || backboneFlag === run.config.backbone ? run.config.features ?? 'final' : undefined)];
    if (ctx.json) {
      const out: Record<string, unknown> = { run: run.id, ...evaluationJson(trained.evaluation, tau, calibration) };
      if (others.length) out.baselines = { phash: evaluationJson(others[0].evaluation, null, 'none'), untrained: evaluationJson(others[1].evaluation, null, 'none') };
      return printJson(ctx.out, out);
    }
    const e = trained.evaluation;
    ctx.out.write(`${e.scores.queries} queries (right/) against ${e.scores.gallery} gallery images (left/) of ${folder}` +
      `${e.problems.length ? `; ${e.problems.length} files not usable` : ''}\n\n${table([trained, ...others])}\n${OPEN_SET_NOTE}\n`);
    if (tau === null) ctx.out.write(`\nrun ${run.id} is ${uncalibratedAdvice(run.metrics?.calibration ?? uncalibrated(null))}\n`);
  },
};
