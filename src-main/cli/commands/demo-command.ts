import path from 'node:path';
import { catalogDataDir } from '../../catalog/catalog-path.ts';
import { listPairs } from '../../catalog/datasets.ts';
import { HELDOUT_SAMPLE_DIR, SAMPLE_DIR } from '../../app-paths.ts';
import { importFolder } from '../../importer/import-folder.ts';
import { listRuns } from '../../catalog/runs.ts';
import type { Command } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';
import { evalCommand } from './eval-command.ts';
import { queryCommand } from './query-command.ts';
import { queryCatalog, QuerySession } from '../../search/query-catalog.ts';
import { runTrainingJob } from './train-command.ts';
import { writeRunReport } from '../../report/write-run-report.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the main journey on the embedded sample dataset (offline)',
  usage: '',
  help: `On the embedded sample (60 brand pairs), offline:
  1. import samples/brands as the dataset "sample";
  2. train with the default settings on the offline MobileNetV2 backbone (head mode);
  3. evaluate the run on samples/brands-heldout (30 brands it never saw) beside the pHash and untrained baselines;
  4. query a test-split look-alike against the catalog's logos;
  5. write the run's report, one self-contained HTML page, next to the catalog.
About two minutes on two CPU cores. Use --db FILE (or LOOKALIKE_HOME) to keep it out of your own catalog.`,
  options: {},
  positionals: [0, 0],
  async run(ctx) {
    const human = { ...ctx, json: false };
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
      `Lookalike demo — catalog ${ctx.catalogPath}\n\n1. import  ${SAMPLE_DIR}\n` +
        `   ${result.pairs} pairs (${result.added} new), train ${bySplit.train} / val ${bySplit.val} / test ${bySplit.test}, ` +
        `${result.problems.length} files not used\n`,
    );

    ctx.out.write(`\n2. train  mobilenetv2, head mode, default settings (progress on stderr)\n`);
    const code = await runTrainingJob(human, { kind: 'new', dataset: 'sample', request: { backbone: 'mobilenetv2', mode: 'head' } });
    if (code !== 0) return code;
    const run = listRuns(db, { datasetId: result.dataset.id })[0];

    ctx.out.write(`\n3. evaluate run ${run.id} on brands it never saw (${HELDOUT_SAMPLE_DIR})\n`);
    await evalCommand.run({ ...human, positionals: [String(run.id)], values: { pairs: HELDOUT_SAMPLE_DIR } });

    const testPairs = pairs.filter((p) => p.split === 'test');
    const testPair = testPairs[0] ?? pairs[0];
    ctx.out.write(`\n4. query  ${path.relative(process.cwd(), testPair.right.path)} (a test look-alike) against the sample's logos\n`);
    await queryCommand.run({ ...human, positionals: [testPair.right.path], values: { run: String(run.id), dataset: 'sample', side: 'left', top: '5' } });
    ctx.out.write(`   (its true pair is ${testPair.name})\n`);
    // Every test look-alike, the same way: where does its own logo rank among the sample's 60 logos?
    const session = new QuerySession();
    try {
      const ranks: string[] = [];
      for (const p of testPairs) {
        const res = await queryCatalog(db, { image: { path: p.right.path }, runId: run.id, datasetId: result.dataset.id, side: 'left', top: pairs.length }, { session, signal: ctx.signal });
        ranks.push(`${p.name.replace(/\.[^.]+$/, '')} #${res.hits.findIndex((h) => h.pairName === p.name) + 1}`);
      }
      ctx.out.write(`   every test look-alike, rank of its own logo among ${pairs.length}: ${ranks.join(', ')}\n`);
    } finally {
      session.dispose();
    }

    const reportFile = path.join(catalogDataDir(ctx.catalogPath), `demo-report-run-${run.id}.html`);
    const reportBar = new ProgressBar({ stream: ctx.err });
    const report = await writeRunReport(db, run.id, reportFile, { signal: ctx.signal, onProgress: (p) => reportBar.update(`report: ${p.step}`, p.done, p.total) });
    reportBar.finish();
    ctx.out.write(`\n5. report ${report.path} (${Math.round(report.bytes / 1024)} KB, self-contained: open it in a browser)\n`);
    return 0;
  },
};
