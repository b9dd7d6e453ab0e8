import { listPairs } from '../../catalog/datasets.ts';
import { SAMPLE_DIR } from '../../app-paths.ts';
import { importFolder } from '../../importer/import-folder.ts';
import type { Command } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';
import { runTrainingJob } from './train-command.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the main journey on the embedded sample dataset (offline)',
  usage: '',
  help: `Imports samples/brands as the dataset "sample", shows what it found, then trains the offline MobileNetV2
backbone's head on it for 5 epochs (a minute or two on a laptop CPU).
Use --db FILE (or LOOKALIKE_HOME) to keep the demo out of your own catalog.`,
  options: {},
  positionals: [0, 0],
  async run(ctx) {
    const bar = new ProgressBar({ stream: ctx.err });
    const db = ctx.catalog();
    const result = await importFolder(db, SAMPLE_DIR, {
      name: 'sample',
      signal: ctx.signal,
      onProgress: (p) => bar.update(`import ${p.phase}`, p.done, p.total, p.current),
    });
    bar.finish();
    const pairs = listPairs(db, result.dataset.id);
    const bySplit = { train: 0, val: 0, test: 0 };
    for (const p of pairs) bySplit[p.split]++;
    ctx.out.write(
      `Lookalike demo — catalog ${ctx.catalogPath}\n\n` +
        `1. import  ${SAMPLE_DIR}\n` +
        `   ${result.pairs} pairs (${result.added} new), train ${bySplit.train} / val ${bySplit.val} / test ${bySplit.test}, ` +
        `${result.problems.length} files not used\n`,
    );
    for (const p of pairs.slice(0, 5)) {
      ctx.out.write(`   ${p.name.padEnd(24)} ${p.left.format} ${p.left.width}×${p.left.height}  ↔  ${p.right.format} ${p.right.width}×${p.right.height}\n`);
    }
    if (pairs.length > 5) ctx.out.write(`   … and ${pairs.length - 5} more (lookalike pairs sample)\n`);
    ctx.out.write(`\n2. train  mobilenetv2, head mode, 5 epochs (progress on stderr)\n`);
    const code = await runTrainingJob(
      { ...ctx, json: false },
      { kind: 'new', dataset: 'sample', request: { backbone: 'mobilenetv2', mode: 'head', epochs: 5, mining: 'hard' } },
    );
    if (code !== 0) return code;
    ctx.out.write('\nEvaluation and query join this demo as they land (see README, "Status").\n');
  },
};
