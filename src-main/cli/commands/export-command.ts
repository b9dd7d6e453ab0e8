import { exportRun } from '../../export/export-run.ts';
import { printJson, type Command } from '../command.ts';
import { runToOutput } from '../run-to-output.ts';

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
    const summary = await runToOutput(ctx, 'DIR', (runId, out, opts) => exportRun(ctx.catalog(), runId, out, opts));
    if (ctx.json) return printJson(ctx.out, summary);
    const mb = (summary.files.reduce((s, f) => s + f.bytes, 0) / 2 ** 20).toFixed(1);
    ctx.out.write(`exported run ${summary.runId} to ${summary.dir} (${summary.files.length} files, ${mb} MB): ` +
      `model input ${summary.inputSize}×${summary.inputSize}, ${summary.images} images × ${summary.dim}-d embeddings\n`);
  },
};
