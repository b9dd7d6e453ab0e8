import path from 'node:path';
import { exportRun } from '../../export/export-run.ts';
import { printJson, runIdArgument, UsageError, type Command } from '../command.ts';
import { ProgressBar } from '../progress-bar.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: "export a run's model, preprocessing, config, metrics and its dataset's embeddings to a folder",
  usage: 'RUN --out DIR [--force] [--json]',
  help: `  --out DIR    the folder to write; it must be empty or new
  --force      write into a folder that already holds files (the export's own files are replaced)
  --json       print {"dir":…,"files":[{"file":…,"bytes":…}],"images":…,"dim":…,"inputSize":…}
Writes model/model.json + model/weights.bin (TensorFlow.js LayersModel: image → L2-normalised embedding),
model/preprocessing.json (the input size, channel order and value range the model expects: the backbone's
normalisation is not part of the model), config.json, metrics.json, embeddings.csv and embeddings.json
(image_id, dataset, pair, side, path and the vector of every image of the run's dataset) and a README.md.`,
  options: { out: { type: 'string' }, force: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const [raw] = ctx.positionals;
    const runId = runIdArgument(raw);
    const out = ctx.values.out as string | undefined;
    if (!out) throw new UsageError('--out DIR is required');
    const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
    let summary;
    try {
      summary = await exportRun(ctx.catalog(), runId, path.resolve(out), {
        force: Boolean(ctx.values.force),
        signal: ctx.signal,
        onProgress: (p) => bar?.update(p.step, p.done, p.total),
      });
    } finally {
      bar?.finish();
    }
    if (ctx.json) return printJson(ctx.out, summary);
    const mb = (summary.files.reduce((s, f) => s + f.bytes, 0) / 2 ** 20).toFixed(1);
    ctx.out.write(`exported run ${summary.runId} to ${summary.dir} (${summary.files.length} files, ${mb} MB): ` +
      `model input ${summary.inputSize}×${summary.inputSize}, ${summary.images} images × ${summary.dim}-d embeddings\n`);
  },
};
