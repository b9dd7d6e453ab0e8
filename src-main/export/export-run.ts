import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../catalog/open-catalog.ts';
import { ensureCatalogVectors } from '../search/catalog-embeddings.ts';
import { EmbedderError, runEmbedder } from '../model-store/embedder.ts';
import { readImageBatch } from '../ml/image-tensor.ts';
import type { WeightsOptions } from '../model-store/load-backbone.ts';
import { getRun, loadCheckpoint } from '../catalog/runs.ts';
import { runEmbedderKey } from '../catalog/embeddings.ts';
import { runImageModel } from './embedding-model.ts';
import { datasetEmbeddingRows, writeEmbeddingsCsv, writeEmbeddingsJson, type EmbeddingRow } from './embeddings-files.ts';
import { exportReadme } from './export-readme.ts';
import { fileModelSaver } from './file-model-saver.ts';
import { applyPreprocessing, preprocessingSpec, type PreprocessingSpec } from './preprocessing-spec.ts';

/** An export folder that cannot be written, with a code the CLI and the UI can act on. */
export class ExportError extends Error {
  constructor(readonly code: 'DIR_NOT_EMPTY' | 'NOT_A_DIRECTORY' | 'EXPORT_MISMATCH', message: string) {
    super(message);
  }
}

/** A step of an export, for a progress bar. */
export interface ExportProgress {
  step: string;
  done: number;
  total: number;
}

/** Options of {@link exportRun}. */
export interface ExportOptions {
  /** Write into a folder that already holds files (the export's own files are replaced, others left). */
  force?: boolean;
  onProgress?: (p: ExportProgress) => void;
  signal?: AbortSignal;
  /** Where a backbone's weights file is (runs on a backbone that needs one rebuild it). */
  weights?: WeightsOptions;
}

/** What an export wrote. */
export interface ExportSummary {
  dir: string;
  runId: number;
  /** Every file written, relative to `dir`, with its size. */
  files: Array<{ file: string; bytes: number }>;
  /** Rows of embeddings.csv: the dataset's images. */
  images: number;
  dim: number;
  /** Side of the model's square input (the run's, not necessarily the backbone's usual 224/200). */
  inputSize: number;
}

/** Largest difference tolerated between the exported model and the catalog's vectors (other backends round differently). */
const SELF_CHECK_TOLERANCE = 1e-3;

function checkOutDir(dir: string, force: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return; // created later
  }
  if (!stat.isDirectory()) throw new ExportError('NOT_A_DIRECTORY', `${dir} exists and is not a folder`);
  if (!force && fs.readdirSync(dir).length) throw new ExportError('DIR_NOT_EMPTY', `${dir} is not empty; choose an empty folder or pass --force to overwrite`);
}

/**
 * Embeds the first rows with the exported model and the spec's preprocessing, and compares with the catalog's
 * vectors (made by the run's embedder): proves the files and the documented preprocessing give the run's embeddings.
 */
async function selfCheck(model: tf.LayersModel, spec: PreprocessingSpec, rows: EmbeddingRow[]): Promise<void> {
  const sample = rows.slice(0, 2);
  if (!sample.length) return;
  const raw = await readImageBatch(sample.map((r) => r.path), spec.inputShape[1]);
  const y = tf.tidy(() => model.predict(applyPreprocessing(raw, spec)) as tf.Tensor);
  raw.dispose();
  const got = (await y.data()) as Float32Array;
  y.dispose();
  const dim = spec.output.dim;
  let worst = 0;
  sample.forEach((r, i) => r.vector.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got[i * dim + j])))));
  if (!(worst <= SELF_CHECK_TOLERANCE)) {
    throw new ExportError('EXPORT_MISMATCH', `the exported model differs from the run's embeddings by ${worst.toExponential(2)}; nothing was exported`);
  }
}

/**
 * Exports a run for use outside Lookalike, into `outDir`:
 * - `model/model.json` + `model/weights.bin`: the image → embedding model (tfjs LayersModel), and
 *   `model/preprocessing.json`: the input it expects (the backbone's normalisation is not part of it);
 * - `config.json`, `metrics.json`: the run's record;
 * - `embeddings.csv` / `embeddings.json`: the run's vectors of its dataset's images (computed and stored in the
 *   catalog first where missing, as queries would);
 * - `README.md`: how to load and feed the model.
 * Files are written to a hidden staging folder beside `outDir` and moved in at the end, so a failed or
 * cancelled export leaves `outDir` as it was.
 * @throws ExportError DIR_NOT_EMPTY (without `force`), NOT_A_DIRECTORY; EmbedderError NO_CHECKPOINT; RunNotFoundError.
 */
export async function exportRun(db: Db, runId: number, outDir: string, opts: ExportOptions = {}): Promise<ExportSummary> {
  const dir = path.resolve(outDir);
  const run = getRun(db, runId);
  if (!loadCheckpoint(db, runId)) throw new EmbedderError('NO_CHECKPOINT', `run ${runId} has no finished epoch yet, so no model to export`);
  checkOutDir(dir, opts.force ?? false);
  const report = (step: string, done: number, total: number) => opts.onProgress?.({ step, done, total });

  const embedder = await runEmbedder(db, runId, opts.weights);
  let dim: number;
  let rows: EmbeddingRow[];
  try {
    dim = embedder.dim;
    await ensureCatalogVectors(db, embedder, { signal: opts.signal, onProgress: (d, t) => report('embedding the catalog', d, t) });
    rows = datasetEmbeddingRows(db, run.datasetId, embedder.key);
  } finally {
    embedder.dispose();
  }
  opts.signal?.throwIfAborted();

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const stage = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.export-`));
  try {
    const spec = preprocessingSpec(run.config.backbone, run.config.inputSize, dim, run.config.features);
    report('writing the model', 0, 1);
    const image = await runImageModel(db, run, opts.weights);
    try {
      await selfCheck(image.model, spec, rows);
      await image.model.save(fileModelSaver(path.join(stage, 'model')));
    } finally {
      image.dispose();
    }
    report('writing the model', 1, 1);
    opts.signal?.throwIfAborted();
    const json = (file: string, value: unknown) => fs.writeFileSync(path.join(stage, file), `${JSON.stringify(value, null, 2)}\n`);
    json('model/preprocessing.json', spec);
    json('config.json', {
      run: run.id,
      dataset: run.datasetName,
      status: run.status,
      epochsDone: run.epochsDone,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      config: run.config,
      backbone: run.config.backbone,
      weightsSource: run.weightsSource,
      backend: run.backend,
      tau: run.metrics?.tau ?? null,
    });
    json('metrics.json', { run: run.id, metrics: run.metrics, epochs: run.epochs });
    report('writing the embeddings', 0, 2);
    await writeEmbeddingsCsv(path.join(stage, 'embeddings.csv'), rows, dim);
    report('writing the embeddings', 1, 2);
    await writeEmbeddingsJson(path.join(stage, 'embeddings.json'), { run: run.id, embedder: runEmbedderKey(run.id), dim }, rows);
    report('writing the embeddings', 2, 2);
    fs.writeFileSync(path.join(stage, 'README.md'), exportReadme(run, spec, rows.length));
    opts.signal?.throwIfAborted();

    const files = listFiles(stage);
    // Checked again: another process may have filled the folder while the model was being built.
    checkOutDir(dir, opts.force ?? false);
    if (!fs.existsSync(dir) || (fs.statSync(dir).isDirectory() && !fs.readdirSync(dir).length)) {
      // One rename of the whole folder: a crash (kill -9, power cut) leaves either no export or a complete one.
      if (fs.existsSync(dir)) fs.rmdirSync(dir);
      fs.renameSync(stage, dir);
      // mkdtemp made the stage private (0700); the export is an ordinary folder.
      fs.chmodSync(dir, 0o755);
    } else {
      for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.renameSync(path.join(stage, file), path.join(dir, file));
      }
    }
    return {
      dir,
      runId,
      files: files.map((file) => ({ file, bytes: fs.statSync(path.join(dir, file)).size })),
      images: rows.length,
      dim,
      inputSize: run.config.inputSize,
    };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Files under `root`, relative, sorted. */
function listFiles(root: string, sub = ''): string[] {
  return fs
    .readdirSync(path.join(root, sub), { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listFiles(root, path.join(sub, d.name)) : [path.join(sub, d.name)]))
    .sort();
}
