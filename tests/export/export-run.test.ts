import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { listPairs } from '../../src-main/catalog/datasets.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { applyColourHandling } from '../../src-main/ml/colour-handling.ts';
import { readImageBatch } from '../../src-main/ml/image-tensor.ts';
import { runEmbedder } from '../../src-main/model-store/embedder.ts';
import { L2Normalize } from '../../src-main/ml/head.ts';
import { exportRun, type ExportProgress, type ExportSummary } from '../../src-main/export/export-run.ts';
import type { PreprocessingSpec } from '../../src-main/export/preprocessing-spec.ts';
import { main } from '../../src-main/cli/main.ts';
import type { RunSummary, TrainRequest } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

const FAST: TrainRequest = { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 8, learningRate: 1e-3, mining: 'hard', seed: 5, augment: 0 };

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let dbFile: string;
let run: RunSummary;
let out: string;
let summary: ExportSummary;
let tensorsBefore: number;
const progress: ExportProgress[] = [];

beforeAll(async () => {
  tmp = tempDir();
  dbFile = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(dbFile);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 16), { name: 'tiny' });
  // Another dataset in the same catalog: its images must not end up in the export of a run on "tiny".
  const other = await makeTinyPairedFolder(path.join(tmp.dir, 'other'), 19);
  for (let i = 0; i < 16; i++) {
    // Keep logo16–18 only: images of their own (the first 16 are byte-identical to tiny's, hence the same images).
    fs.rmSync(path.join(other, 'left', `logo${String(i).padStart(2, '0')}.png`));
    fs.rmSync(path.join(other, 'right', `logo${String(i).padStart(2, '0')}.jpg`));
  }
  await importFolder(db, other, { name: 'other' });
  run = await trainNewRun(db, 'tiny', FAST);
  tensorsBefore = tf.memory().numTensors;
  out = path.join(tmp.dir, 'export');
  summary = await exportRun(db, run.id, out, { onProgress: (p) => progress.push(p) });
});
afterAll(() => {
  db?.close();
  tmp?.cleanup();
});

/** Reads model.json and its weight files from disk: the format any tfjs file loader expects. */
function fileLoader(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const data = Buffer.concat(manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
        return [manifest.flatMap((group) => group.weights), data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)];
      });
    },
  };
}

/** Embeds image files with an exported model, normalising the pixels as preprocessing.json says. */
async function embedWithExport(model: tf.LayersModel, spec: PreprocessingSpec, files: string[]): Promise<Float32Array> {
  const raw = await readImageBatch(files, spec.inputShape[1]);
  const { channelOrder, mean, std } = spec.normalisation;
  const y = tf.tidy(() => {
    // spec.image.colour names the colour handling (documented in preprocessing.json and the export's README).
    const handled = applyColourHandling(raw, spec.image.colour);
    const ordered = channelOrder === 'BGR' ? tf.reverse(handled, -1) : handled;
    return model.predict(tf.div(tf.sub(ordered, mean), std)) as tf.Tensor;
  });
  raw.dispose();
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

/** A few catalog images of the run's dataset, as the embedder takes them. */
function someImages(db: Db, datasetId: number): Array<{ sha256: string; path: string }> {
  const sha = db.prepare('SELECT sha256 FROM images WHERE id = ?').pluck();
  return listPairs(db, datasetId).slice(0, 3).flatMap((p) => [p.left, p.right]).map((i) => ({ sha256: sha.get(i.imageId) as string, path: i.path }));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function runVectors(db: Db, runId: number, images: Array<{ sha256: string; path: string }>) {
  const embedder = await runEmbedder(db, runId);
  try {
    return { vectors: await embedder.embed(images), dim: embedder.dim };
  } finally {
    embedder.dispose();
  }
}

describe('export', () => {
  it('writes the model, its preprocessing, the run record and the embeddings, leaking no tensors', () => {
    expect(summary.files.map((f) => f.file)).toEqual([
      'README.md', 'config.json', 'embeddings.csv', 'embeddings.json', 'metrics.json', 'model/model.json', 'model/preprocessing.json', 'model/weights.bin',
    ]);
    expect(summary).toMatchObject({ runId: run.id, images: 32, dim: 256, inputSize: 32 });
    expect(summary.files.every((f) => f.bytes === fs.statSync(path.join(out, f.file)).size)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // The staging folder is gone.
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('.export-'))).toEqual([]);
    // The catalog's vectors were computed for the progress bar's first step (the "other" dataset's too: the
    // catalog's vectors are per run, for every image), then the model and the embedding files were written.
    expect([...new Set(progress.map((p) => p.step))]).toEqual(['embedding the catalog', 'writing the model', 'writing the embeddings']);
    expect(progress.filter((p) => p.step === 'embedding the catalog').at(-1)).toEqual({ step: 'embedding the catalog', done: 38, total: 38 });
  });

  it('leaves nothing behind when cancelled', async () => {
    const dir = path.join(tmp.dir, 'cancelled');
    await expect(exportRun(db, run.id, dir, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('.export-'))).toEqual([]);
  });

  it('model.json loads with tf.loadLayersModel and embeds exactly as the run does (documented preprocessing)', async () => {
    const spec = JSON.parse(fs.readFileSync(path.join(out, 'model', 'preprocessing.json'), 'utf8')) as PreprocessingSpec;
    expect(spec).toMatchObject({ backbone: 'mobilenetv2', inputShape: [null, 32, 32, 3], layout: 'NHWC', normalisation: { channelOrder: 'RGB', mean: [0, 0, 0], std: [255, 255, 255], range: [0, 1] }, output: { dim: 256, l2Normalised: true } });
    const model = await tf.loadLayersModel(fileLoader(path.join(out, 'model')));
    try {
      expect(model.inputs[0].shape).toEqual([null, 32, 32, 3]);
      expect(model.outputs[0].shape).toEqual([null, 256]);
      const images = someImages(db, run.datasetId);
      const mine = await embedWithExport(model, spec, images.map((i) => i.path));
      const theirs = await runVectors(db, run.id, images);
      expect(maxDiff(mine, theirs.vectors)).toBeLessThan(1e-5);
    } finally {
      model.dispose();
    }
  });

  it("loads outside Lookalike with the README's L2Normalize snippet", async () => {
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('(pixel in RGB order − [0, 0, 0]) / [255, 255, 255]');
    const snippet = readme.match(/```js\n([\s\S]*?)```/)![1];
    new Function('tf', snippet)(tf); // replaces Lookalike's registered class with the README's
    try {
      const model = await tf.loadLayersModel(fileLoader(path.join(out, 'model')));
      const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7);
      const y = model.predict(x) as tf.Tensor;
      const norms = await tf.norm(y, 2, -1).data();
      expect([...norms].every((n) => Math.abs(n - 1) < 1e-5)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    } finally {
      tf.serialization.registerClass(L2Normalize);
    }
  });

  it("embeddings.csv and .json hold one row per image of the run's dataset with the run's vectors", () => {
    const lines = fs.readFileSync(path.join(out, 'embeddings.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 6)).toEqual(['image_id', 'dataset', 'pair', 'side', 'path', 'v0']);
    expect(header).toHaveLength(5 + 256);
    const rows = lines.slice(1).map((l) => l.split(','));
    const pairs = listPairs(db, run.datasetId);
    expect(rows).toHaveLength(pairs.length * 2);
    expect(rows.every((r) => r.length === 5 + 256 && r[1] === 'tiny')).toBe(true);
    expect(new Set(rows.map((r) => Number(r[0])))).toEqual(new Set(pairs.flatMap((p) => [p.left.imageId, p.right.imageId])));
    expect(rows.find((r) => r[2] === 'logo03.png' && r[3] === 'right')![4]).toBe(pairs.find((p) => p.name === 'logo03.png')!.right.path);

    const stored = db.prepare('SELECT vector FROM embeddings WHERE embedder = ? AND image_id = ?').pluck();
    const json = JSON.parse(fs.readFileSync(path.join(out, 'embeddings.json'), 'utf8'));
    expect(json).toMatchObject({ run: run.id, embedder: `run:${run.id}`, dim: 256 });
    expect(json.images).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      const blob = stored.get(`run:${run.id}`, Number(r[0])) as Buffer;
      const vector = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
      // Written to the last float32 bit: reading the text back gives the stored vector exactly.
      expect(r.slice(5).map((v) => Math.fround(Number(v)))).toEqual([...vector]);
      expect(json.images[i]).toMatchObject({ image_id: Number(r[0]), dataset: 'tiny', pair: r[2], side: r[3], path: r[4] });
      expect(json.images[i].vector.map(Math.fround)).toEqual([...vector]);
    });
  });

  it('config.json and metrics.json hold the run as stored', () => {
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ run: run.id, dataset: 'tiny', config: run.config, backend: run.backend, weightsSource: run.weightsSource, status: 'done', createdAt: run.createdAt });
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.metrics).toEqual(run.metrics);
    expect(metrics.epochs).toEqual(run.epochs);
  });

  it('refuses a non-empty folder unless forced, and never touches files that are not its own', async () => {
    const modelJson = path.join(out, 'model', 'model.json');
    const before = fs.statSync(modelJson).mtimeMs;
    await expect(exportRun(db, run.id, out)).rejects.toMatchObject({ code: 'DIR_NOT_EMPTY', message: expect.stringMatching(/--force/) });
    expect(fs.statSync(modelJson).mtimeMs).toBe(before);

    const mine = path.join(tmp.dir, 'mine');
    fs.mkdirSync(mine);
    fs.writeFileSync(path.join(mine, 'notes.txt'), 'keep me');
    await expect(exportRun(db, run.id, mine)).rejects.toMatchObject({ code: 'DIR_NOT_EMPTY' });
    expect(fs.readdirSync(mine)).toEqual(['notes.txt']);
    await expect(exportRun(db, run.id, path.join(mine, 'notes.txt'))).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });

    const sink = () => {
      let text = '';
      return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
    };
    const o = sink();
    const e = sink();
    const signal = new AbortController().signal;
    expect(await main(['--db', dbFile, 'export', String(run.id), '--out', mine], { out: o.stream, err: e.stream, signal })).toBe(1);
    expect(e.text()).toMatch(/is not empty; .*--force/);
    expect(await main(['--db', dbFile, 'export', String(run.id), '--out', mine, '--force', '--json'], { out: o.stream, err: e.stream, signal })).toBe(0);
    expect(JSON.parse(o.text())).toMatchObject({ dir: mine, images: 32 });
    expect(fs.readFileSync(path.join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(fs.existsSync(path.join(mine, 'model', 'weights.bin'))).toBe(true);
  });

  /** The export in `dir` of `run`, loaded as a user would: its largest difference from the run's own vectors. */
  async function exportDiff(run: RunSummary, dir: string): Promise<{ spec: PreprocessingSpec; diff: number }> {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'model', 'preprocessing.json'), 'utf8')) as PreprocessingSpec;
    const model = await tf.loadLayersModel(fileLoader(path.join(dir, 'model')));
    try {
      const images = someImages(db, run.datasetId);
      const theirs = await runVectors(db, run.id, images);
      return { spec, diff: maxDiff(await embedWithExport(model, spec, images.map((i) => i.path)), theirs.vectors) };
    } finally {
      model.dispose();
    }
  }

  it('exports a finetune run (its checkpoint is the whole model) with the same embeddings', async () => {
    const ft = await trainNewRun(db, 'tiny', { ...FAST, mode: 'finetune', epochs: 1 });
    const dir = path.join(tmp.dir, 'finetune');
    const s = await exportRun(db, ft.id, dir);
    expect(s.inputSize).toBe(32);
    expect((await exportDiff(ft, dir)).diff).toBeLessThan(1e-5);
  });

  it('exports a run of the default recipe (polarity-normalised grey, whitened head): the documented preprocessing applies the colour handling', async () => {
    const def = await trainNewRun(db, 'tiny', { backbone: 'mobilenetv2', inputSize: 32, epochs: 1, augment: 0 });
    expect(def.config).toMatchObject({ features: 'mid-multi-gem-polarity', head: 'whitened' });
    const dir = path.join(tmp.dir, 'default-recipe');
    await exportRun(db, def.id, dir); // its self-check compares the files with the run's own vectors
    const { spec, diff } = await exportDiff(def, dir);
    expect(spec.image.colour).toBe('polarity');
    expect(diff).toBeLessThan(1e-4);
  });
});
