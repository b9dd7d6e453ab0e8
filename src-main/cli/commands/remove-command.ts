import { findDataset } from '../../catalog/datasets.ts';
import { previewDatasetRemoval, previewRunRemoval, removeDatasetEverywhere, removeRunEverywhere, renameDataset } from '../../model-store/catalog-upkeep.ts';
import { datasetRemovalLines, folderKeptNote, runRemovalLines } from '../../../src-shared/upkeep-text.ts';
import { renameRun } from '../../catalog/run-name.ts';
import { printJson, runIdArgument, UsageError, type Command } from '../command.ts';
import { confirm } from '../confirm.ts';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export const removeCommand: Command = {
  name: 'remove',
  summary: 'remove a dataset (with its runs) or a run from the catalog; image folders are never touched',
  usage: 'dataset NAME|ID | run RUN [--yes] [--json]',
  help: `  dataset NAME|ID  removes the dataset, its pairs and runs (checkpoints, vectors), the catalog images no
                   other dataset uses (thumbnails, cached features) and the look-alikes made from its logos
  run RUN          removes one run: its epochs, saved model, catalog vectors and the look-alikes only it used
  --yes            remove without asking (needed when stdin is not a terminal)
  --json           print what was removed as one JSON object
The files of the folder a dataset was imported from stay exactly as they are. A run that is training (here or in
another process) cannot be removed: cancel it first.`,
  options: { yes: { type: 'boolean', short: 'y' } },
  positionals: [2, 2],
  async run(ctx) {
    const [what, ref] = ctx.positionals;
    const db = ctx.catalog();
    if (what === 'dataset') {
      const ds = findDataset(db, ref);
      if (!ctx.values.yes) {
        const preview = previewDatasetRemoval(db, ds.id);
        ctx.err.write(`Removing dataset "${ds.name}" (id ${ds.id}) removes from the catalog:\n${datasetRemovalLines(preview).map((l) => `  - ${l}\n`).join('')}${folderKeptNote(ds.root)}\n`);
        if (!(await confirm(`Remove dataset "${ds.name}"?`))) return void ctx.err.write('Nothing removed.\n');
      }
      const done = removeDatasetEverywhere(db, ctx.catalogPath, ds.id);
      if (ctx.json) return printJson(ctx.out, done);
      ctx.out.write(
        `Removed dataset "${done.dataset.name}": ${plural(done.pairs, 'pair')}, ${plural(done.runs.length, 'run')}, ${plural(done.images, 'image')}, ${plural(done.generatedFiles, 'generated look-alike')}. ` +
          `${folderKeptNote(done.dataset.root)}\n`,
      );
      return;
    }
    if (what === 'run') {
      const runId = runIdArgument(ref);
      if (!ctx.values.yes) {
        const preview = previewRunRemoval(db, runId);
        ctx.err.write(`Removing run ${runId} (dataset "${preview.run.datasetName}") removes:\n${runRemovalLines(preview).map((l) => `  - ${l}\n`).join('')}`);
        if (!(await confirm(`Remove run ${runId}?`))) return void ctx.err.write('Nothing removed.\n');
      }
      const done = removeRunEverywhere(db, ctx.catalogPath, runId);
      if (ctx.json) return printJson(ctx.out, done);
      ctx.out.write(`Removed run ${runId} of "${done.run.datasetName}": ${plural(done.epochs, 'epoch')}, ${plural(done.checkpoints, 'saved model')}, ${plural(done.generatedFiles, 'generated look-alike')}.\n`);
      return;
    }
    throw new UsageError(`remove takes "dataset NAME|ID" or "run RUN", not "${what}"`);
  },
};

export const renameCommand: Command = {
  name: 'rename',
  summary: 'rename a dataset or a run',
  usage: 'dataset OLD NEW | run RUN NEW [--json]',
  help: `  dataset OLD NEW  gives dataset OLD (a name or an id) the name NEW; its pairs and runs stay. A later import
                   of its folder must then say --name NEW.
  run RUN NEW      gives run RUN (its number) the name NEW, shown beside its number ("" takes the name away);
                   the run is still found by its number everywhere.`,
  options: {},
  positionals: [3, 3],
  async run(ctx) {
    const [what, oldRef, newName] = ctx.positionals;
    const db = ctx.catalog();
    if (what === 'run') {
      const done = renameRun(db, runIdArgument(oldRef), newName);
      if (ctx.json) return printJson(ctx.out, done);
      const was = done.oldName === null ? '' : ` (was "${done.oldName}")`;
      ctx.out.write(done.name === null ? `Run ${done.id} has no name now${was}.\n` : `Named run ${done.id} "${done.name}"${was}.\n`);
      return;
    }
    if (what !== 'dataset') throw new UsageError(`rename takes "dataset OLD NEW" or "run RUN NEW", not "${what}"`);
    const done = renameDataset(db, findDataset(db, oldRef).id, newName);
    if (ctx.json) return printJson(ctx.out, done);
    ctx.out.write(`Renamed dataset "${done.oldName}" to "${done.name}" (id ${done.id}).\n`);
  },
};
