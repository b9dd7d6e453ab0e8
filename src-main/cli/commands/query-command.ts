import path from 'node:path';
import { findDataset } from '../../catalog/datasets.ts';
import { markFeedback } from '../../catalog/feedback.ts';
import fs from 'node:fs';
import { queryCatalog, QuerySession, readQueryImage } from '../../search/query-catalog.ts';
import { batchQuery } from '../../search/batch-query.ts';
import { batchCsv } from '../../report/batch-csv.ts';
import { batchHtml } from '../../report/batch-html.ts';
import type { FeedbackVerdict } from '../../../src-shared/query-types.ts';
import { printJson, runIdArgument, UsageError, type Command, type CommandContext } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';

function runFlag(ctx: CommandContext): number | undefined {
  const raw = ctx.values.run as string | undefined;
  if (raw === undefined) return undefined;
  return runIdArgument(raw, '--run');
}

export const queryCommand: Command = {
  name: 'query',
  summary: 'rank the catalog images most similar to an image',
  usage: 'IMAGE|FOLDER… [--csv OUT] [--html OUT] [--run RUN] [--dataset NAME] [--side left|right] [--top N] [--json]',
  help: `  --run RUN       the trained run whose model compares images (default: the newest finished run)
  --dataset NAME  only images of this dataset
  --side S        only left or only right images
  --top N         how many results per image (default 10 for one image, 5 for a batch)
  --csv OUT       batch: write one CSV row per query image and hit (query_file, rank, hit_dataset, hit_pair,
                  hit_side, hit_path, score, match, problem)
  --html OUT      batch: write the triage table as one self-contained HTML page (thumbnails inlined)
Several images, a folder (the files directly in it) or --csv/--html make a batch: each file is checked as an
import checks it, a file that cannot be used is listed with its reason and the batch goes on.
  --json          one object: {"runId":…,"tau":…,"hits":[{"rank":1,"score":…,"match":true,"pairName":…,"path":…},…]}
The first query with a run embeds the catalog's images once (a progress bar); later ones only new images.
"match" means score ≥ the run's threshold tau, calibrated on its val split when it was trained.`,
  options: { run: { type: 'string' }, dataset: { type: 'string' }, side: { type: 'string' }, top: { type: 'string' }, csv: { type: 'string' }, html: { type: 'string' } },
  positionals: [1, 100_000],
  async run(ctx) {
    const side = ctx.values.side as string | undefined;
    if (side !== undefined && side !== 'left' && side !== 'right') throw new UsageError(`--side takes left or right, not "${side}"`);
    const batch = ctx.positionals.length > 1 || ctx.values.csv !== undefined || ctx.values.html !== undefined || isFolder(ctx.positionals[0]);
    const top = ctx.values.top === undefined ? (batch ? 5 : 10) : Number(ctx.values.top);
    if (!Number.isInteger(top) || top < 1 || (batch && top > 100)) throw new UsageError(`--top takes a whole number from 1 to ${batch ? 100 : 1000}`);
    if (batch) return runBatch(ctx, top, side as 'left' | 'right' | undefined);
    const db = ctx.catalog();
    const datasetId = ctx.values.dataset ? findDataset(db, ctx.values.dataset as string).id : undefined;
    const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
    const res = await queryCatalog(
      db,
      { image: { path: path.resolve(ctx.positionals[0]) }, runId: runFlag(ctx), datasetId, side: side as 'left' | 'right' | undefined, top },
      { signal: ctx.signal, onProgress: (done, total) => bar?.update('embedding the catalog', done, total) },
    );
    bar?.finish();
    if (ctx.json) return printJson(ctx.out, res);
    ctx.out.write(`run ${res.runId}, tau ${res.tau.toFixed(3)}, ${res.searched} images compared${res.queryPair ? ` (the query is ${res.queryPair.side}/${res.queryPair.pairName} of "${res.queryPair.datasetName}")` : ''}\n`);
    for (const h of res.hits) {
      ctx.out.write(
        `${String(h.rank).padStart(3)}. ${h.score.toFixed(3)} ${h.match ? 'MATCH   ' : 'no match'}  ${h.datasetName}/${h.side}/${h.pairName}  [image ${h.imageId}]` +
          `${h.feedback ? `  (marked ${h.feedback})` : ''}\n`,
      );
    }
    if (!res.hits.length) ctx.out.write('no images to compare with (is the dataset filter right?)\n');
  },
};

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `query A B C…` / `query FOLDER --csv OUT`: every image against the catalog, a progress bar, a triage table. */
async function runBatch(ctx: CommandContext, top: number, side: 'left' | 'right' | undefined): Promise<void> {
  const db = ctx.catalog();
  const datasetId = ctx.values.dataset ? findDataset(db, ctx.values.dataset as string).id : undefined;
  const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
  const session = new QuerySession();
  let result;
  try {
    result = await batchQuery(
      { inputs: ctx.positionals.map((p) => ({ path: p })), runId: runFlag(ctx), datasetId, side, top },
      (req, o) => queryCatalog(db, req, { ...o, session }),
      {
        signal: ctx.signal,
        onProgress: (p) => bar?.update('querying', p.done, p.total, p.current),
        onEmbedProgress: (done, total) => bar?.update('embedding the catalog', done, total),
      },
    );
  } finally {
    session.dispose();
    bar?.finish();
  }
  const written: string[] = [];
  if (ctx.values.csv) written.push(writeOut(ctx.values.csv as string, batchCsv(result)));
  if (ctx.values.html) written.push(writeOut(ctx.values.html as string, batchHtml(db, result, { createdAt: new Date() })));
  if (ctx.json) return printJson(ctx.out, { ...result, items: result.items.map(({ thumbnail: _, ...item }) => item) });
  ctx.out.write(`${result.items.length} images queried${result.runId === null ? '' : ` with run ${result.runId} (tau ${result.tau?.toFixed(3)})`}, ${result.items.filter((i) => i.match).length} with a match, ${result.unusable.length} not usable\n`);
  for (const item of result.items) {
    const best = item.hits[0];
    ctx.out.write(`  ${item.bestScore === null ? '  —  ' : item.bestScore.toFixed(3)} ${item.match ? 'MATCH   ' : 'no match'}  ${item.file}${best ? `  →  ${best.datasetName}/${best.side}/${best.pairName}` : ''}\n`);
  }
  for (const u of result.unusable) ctx.out.write(`  not used: ${u.file}: ${u.reason}\n`);
  for (const w of written) ctx.out.write(`wrote ${w}\n`);
}

/** Writes an output file whole (beside it first, then renamed) and returns its absolute path. */
function writeOut(file: string, text: string): string {
  const full = path.resolve(file);
  const tmp = `${full}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, 'utf8');
  fs.renameSync(tmp, full);
  return full;
}

export const feedbackCommand: Command = {
  name: 'feedback',
  summary: 'mark a query result as a match or not; the next training run of its dataset uses the mark',
  usage: 'IMAGE RESULT_IMAGE_ID match|not-a-match|clear [--run RUN]',
  help: `IMAGE is the queried image file, RESULT_IMAGE_ID the [image N] of a result of \`lookalike query\`.
"not-a-match" makes the result a hard negative for the query's pair; "match" an extra positive.
Marks count when the query image is itself an image of a training pair of the dataset.`,
  options: { run: { type: 'string' } },
  positionals: [3, 3],
  async run(ctx) {
    const [image, resultRaw, verdictRaw] = ctx.positionals;
    if (!/^\d+$/.test(resultRaw)) throw new UsageError(`RESULT_IMAGE_ID is a number, not "${resultRaw}"`);
    if (!['match', 'not-a-match', 'clear'].includes(verdictRaw)) throw new UsageError(`the verdict is match, not-a-match or clear, not "${verdictRaw}"`);
    const { createHash } = await import('node:crypto');
    // The same checks as a query's (regular file, size cap, no blocking on a FIFO): the mark names its hash.
    const { buffer } = await readQueryImage({ path: path.resolve(image) });
    const querySha256 = createHash('sha256').update(buffer).digest('hex');
    const verdict = verdictRaw === 'clear' ? null : (verdictRaw as FeedbackVerdict);
    markFeedback(ctx.catalog(), { querySha256, resultImageId: Number(resultRaw), verdict, runId: runFlag(ctx) });
    if (ctx.json) return printJson(ctx.out, { querySha256, resultImageId: Number(resultRaw), verdict });
    ctx.out.write(verdict ? `marked image ${resultRaw} as ${verdict} for ${image}\n` : `cleared the mark on image ${resultRaw} for ${image}\n`);
  },
};
