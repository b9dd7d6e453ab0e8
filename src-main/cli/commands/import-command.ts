import { importFolder } from '../../importer/import-folder.ts';
import { printJson, UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';

const PHASE_LABEL = { scan: 'scanning', decode: 'decoding', commit: 'saving' } as const;

export const importCommand: Command = {
  name: 'import',
  summary: 'import a paired folder (FOLDER/left/NAME + FOLDER/right/NAME) into the catalog',
  usage: 'FOLDER [--name NAME] [--max-pixels N] [--json]',
  help: `Each NAME present in both left/ and right/ becomes a pair. Every file that cannot be used is reported with
its reason and the import goes on. Re-importing a folder adds what is new and drops the pairs whose files are gone (each one listed with why).

  --name NAME       dataset name (default: the folder's name)
  --max-pixels N    refuse images with more pixels than N (default 100000000)
  --json            print one JSON object: {"dataset":{…},"pairs":N,"added":N,"problems":[…]}`,
  options: { name: { type: 'string' }, 'max-pixels': { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const maxPixels = ctx.values['max-pixels'] === undefined ? undefined : Number(ctx.values['max-pixels']);
    if (maxPixels !== undefined && !(Number.isInteger(maxPixels) && maxPixels > 0)) {
      throw new UsageError('--max-pixels takes a positive whole number');
    }
    const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
    const result = await importFolder(ctx.catalog(), ctx.positionals[0], {
      name: ctx.values.name as string | undefined,
      limits: maxPixels ? { maxPixels } : undefined,
      signal: ctx.signal,
      onProgress: (p) => bar?.update(PHASE_LABEL[p.phase], p.done, p.total, p.current),
    });
    bar?.finish();
    if (ctx.json) {
      printJson(ctx.out, {
        dataset: result.dataset,
        pairs: result.pairs,
        added: result.added,
        updated: result.updated,
        dropped: result.dropped,
        problems: result.problems.map(({ side, file, code, reason }) => ({ side, file, code, reason })),
      });
      return;
    }
    const { dataset, pairs, added, updated, dropped, problems } = result;
    ctx.out.write(
      `Imported "${dataset.name}" (id ${dataset.id}): ${pairs} pairs in the dataset, ${added} new` +
        `${updated ? `, ${updated} changed` : ''}${dropped.length ? `, ${dropped.length} dropped` : ''}, ${problems.length} file${problems.length === 1 ? '' : 's'} not used.\n`,
    );
    if (dropped.length) {
      ctx.out.write('\nPairs dropped (no longer in the folder as they were):\n');
      for (const d of dropped) ctx.out.write(`  ${d.name}: ${d.reason}\n`);
    }
    if (problems.length) {
      ctx.out.write('\nFiles not used:\n');
      for (const p of problems) ctx.out.write(`  ${p.side}/${p.file}: ${p.reason}\n`);
    }
  },
};
