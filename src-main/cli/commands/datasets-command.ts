import { findDataset, listDatasets, listPairs, listProblems, type Split } from '../../catalog/datasets.ts';
import { printJson, UsageError, type Command } from '../command.ts';

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'list the datasets in the catalog',
  usage: '[--json]',
  help: '  --json    print a JSON array of datasets',
  options: {},
  positionals: [0, 0],
  async run(ctx) {
    const all = listDatasets(ctx.catalog());
    if (ctx.json) return printJson(ctx.out, all);
    if (!all.length) {
      ctx.out.write(`No datasets yet in ${ctx.catalogPath}.\nImport one: lookalike import FOLDER   (try samples/brands)\n`);
      return;
    }
    for (const d of all) {
      ctx.out.write(
        `${d.name}  (id ${d.id})  ${d.pairs} pairs — train ${d.splits.train} / val ${d.splits.val} / test ${d.splits.test}` +
          `${d.problems ? `, ${d.problems} files not used` : ''}\n    from ${d.root}, imported ${d.importedAt}\n`,
      );
    }
  },
};

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export const pairsCommand: Command = {
  name: 'pairs',
  summary: "list a dataset's pairs",
  usage: 'DATASET [--split train|val|test] [--json]',
  help: '  --split S   only the pairs of one split\n  --json      print a JSON array of pairs',
  options: { split: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const split = ctx.values.split as string | undefined;
    if (split !== undefined && !SPLITS.includes(split as Split)) throw new UsageError(`--split takes one of ${SPLITS.join(', ')}, not "${split}"`);
    const db = ctx.catalog();
    const dataset = findDataset(db, ctx.positionals[0]);
    const pairs = listPairs(db, dataset.id, split as Split | undefined);
    if (ctx.json) return printJson(ctx.out, pairs);
    for (const p of pairs) {
      ctx.out.write(`${p.split.padEnd(5)}  ${p.name}\n        left  ${p.left.path} (${p.left.format} ${p.left.width}×${p.left.height})\n        right ${p.right.path} (${p.right.format} ${p.right.width}×${p.right.height})\n`);
    }
    ctx.out.write(`${pairs.length} pairs${split ? ` in ${split}` : ''} in "${dataset.name}"\n`);
  },
};

export const problemsCommand: Command = {
  name: 'problems',
  summary: 'list the files the last import of a dataset could not use',
  usage: 'DATASET [--json]',
  help: '  --json    print a JSON array of {side, file, code, reason}',
  options: {},
  positionals: [1, 1],
  async run(ctx) {
    const db = ctx.catalog();
    const dataset = findDataset(db, ctx.positionals[0]);
    const problems = listProblems(db, dataset.id);
    if (ctx.json) return printJson(ctx.out, problems);
    for (const p of problems) ctx.out.write(`${p.side}/${p.file}: ${p.reason}\n`);
    ctx.out.write(`${problems.length} file${problems.length === 1 ? '' : 's'} not used in "${dataset.name}"\n`);
  },
};
