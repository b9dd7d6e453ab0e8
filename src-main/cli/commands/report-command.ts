import { writeRunReport } from '../../report/write-run-report.ts';
import { printJson, type Command } from '../command.ts';
import { runToOutput } from '../run-to-output.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: "write a run's report: one self-contained HTML page to open or mail",
  usage: 'RUN --out FILE.html [--force] [--json]',
  help: `  --out FILE   the HTML file to write (an earlier Lookalike report there is replaced; any other file is not)
  --force      replace FILE even if it is not a report Lookalike wrote
  --json       print {"path":…,"bytes":…,"testPairs":…,"examples":…,"misses":…} instead of a sentence
The page holds the run's configuration, its loss and val-metric charts, its test-split metrics beside the
untrained backbone and pHash (measured now, on the same test pairs) and up to 8 example test queries, misses
first. Charts (Chart.js) and thumbnails are inlined: the page needs no network.`,
  options: { out: { type: 'string' }, force: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const summary = await runToOutput(ctx, 'FILE', (runId, out, opts) => writeRunReport(ctx.catalog(), runId, out, opts));
    if (ctx.json) return printJson(ctx.out, summary);
    ctx.out.write(
      `wrote ${summary.path} (${(summary.bytes / 1024).toFixed(0)} KB): ${summary.epochs} epochs, ${summary.testPairs} test pairs, ` +
        `${summary.examples} example queries (${summary.misses} missed)\n`,
    );
    for (const u of summary.unmeasured) ctx.err.write(`note: ${u.column} could not be measured: ${u.reason}\n`);
  },
};
