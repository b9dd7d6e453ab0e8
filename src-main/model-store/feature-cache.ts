import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { Db } from '../catalog/open-catalog.ts';
import { readCachedFeatures, storeCachedFeatures } from '../catalog/feature-cache.ts';
import { decodeHalves, encodeHalves } from '../catalog/float16.ts';

const roundToHalf = (v: Float32Array): Float32Array => decodeHalves(encodeHalves(v));
import type { Backbone } from '../ml/backbones/backbone.ts';
import { decodeImageBatch, startImageBatch } from '../ml/image-tensor.ts';
import { frozenForward, tfjsForward, type EngineOptions, type ForwardEngine } from '../ml/onnx/onnx-engine.ts';

/** An image to embed: its content hash (the cache key) and where to read it. */
export interface ImageRef {
  sha256: string;
  path: string;
}

/**
 * Names a backbone's features unambiguously: same id, input size, weights and feature recipe → same numbers. The
 * `final` recipe keeps the key it had before recipes existed, so catalogs keep their cached features.
 */
export function extractorKey(backbone: Backbone): string {
  const weights = createHash('sha256').update(backbone.weightsSource).digest('hex').slice(0, 12);
  const recipe = backbone.recipe && backbone.recipe !== 'final' ? `:${backbone.recipe}` : '';
  const cut = backbone.cutAt ? `:cut=${backbone.cutAt}` : '';
  return `${backbone.id}@${backbone.inputSize}:${weights}${recipe}${cut}`;
}

/** Features of many images in one JS array (outside the backend's memory: wasm has a 4 GB heap). */
export interface FeatureTable {
  /** Shape of one image's features. */
  shape: number[];
  /** Values per image. */
  size: number;
  data: Float32Array;
}

/** A batch of rows of a feature table as a tensor [rows.length, ...shape]. */
export function featureRows(table: FeatureTable, rows: readonly number[]): tf.Tensor {
  const out = new Float32Array(rows.length * table.size);
  rows.forEach((r, i) => out.set(table.data.subarray(r * table.size, (r + 1) * table.size), i * table.size));
  return tf.tensor(out, [rows.length, ...table.shape]);
}

/** Options of {@link backboneOutputs}. */
export interface BackboneOutputOptions {
  /**
   * False for a model whose weights are not the frozen backbone's (a finetuned run's model): it runs on tfjs, as
   * training does, never through an onnxruntime snapshot of its weights. Default true.
   */
  frozen?: boolean;
  /** How the frozen model's engine is chosen (tests force tfjs or inject a runtime that fails to load). */
  engine?: EngineOptions;
}

/** The model's outputs for a batch of image files (or their bytes), row after row, every tensor disposed. */
export async function backboneOutputs(backbone: Backbone, sources: ReadonlyArray<string | Buffer>, opts: BackboneOutputOptions = {}): Promise<Float32Array> {
  const engine = await engineOf(backbone, opts.frozen ?? true, opts.engine);
  return forwardPixels(backbone, engine, await decodeImageBatch(sources, backbone.inputSize), sources.length);
}

/**
 * A frozen model runs on onnxruntime-node when it is installed and the model converts, else on tfjs
 * (src-main/ml/onnx/onnx-engine.ts); a model that is not frozen always on tfjs.
 */
async function engineOf(backbone: Backbone, frozen: boolean, options?: EngineOptions, log?: (line: string) => void): Promise<ForwardEngine> {
  const engine = frozen ? await frozenForward(backbone.model, options) : tfjsForward(backbone.model);
  noticeFallback(backbone, engine, log);
  return engine;
}

/** Says once per loaded model that it runs on tfjs after all, and why (also when a session fails mid-job). */
function noticeFallback(backbone: Backbone, engine: ForwardEngine, log?: (line: string) => void): void {
  if (!engine.fellBack || !log || noticed.has(backbone.model)) return;
  noticed.add(backbone.model);
  log(`notice: ${engine.fellBack}`);
}

/**
 * Preprocessing in tfjs (one implementation for every door; ~10 % of a MobileNetV2 batch's time on
 * onnxruntime), then the engine's forward pass.
 */
async function forwardPixels(backbone: Backbone, engine: ForwardEngine, pixels: Float32Array, n: number): Promise<Float32Array> {
  const size = backbone.inputSize;
  const x = tf.tidy(() => backbone.preprocess(tf.tensor4d(pixels, [n, size, size, 3])));
  try {
    return await engine.forward(x);
  } finally {
    x.dispose();
  }
}

/** Models whose fallback to tfjs was already reported: once per loaded model, not once per batch. */
const noticed = new WeakSet<object>();

/**
 * The backbone features of each image, in the order given. Features already in the
 * catalog's cache (keyed by image hash + extractor) are reused; the rest are computed in batches and stored, so a
 * frozen backbone runs over each image once, however many runs train on it. The next batch is read and decoded
 * (on libuv's threads) while the current one runs through the network; each batch's rows are stored in one
 * transaction. The cache key does not depend on the engine: onnxruntime's features equal tfjs's within 1e-4.
 */
export async function cachedFeatures(
  db: Db,
  backbone: Backbone,
  images: ImageRef[],
  opts: {
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
    /** Receives a one-line notice when the frozen model cannot run on onnxruntime-node and runs on tfjs. */
    log?: (line: string) => void;
    engine?: EngineOptions;
  } = {},
): Promise<FeatureTable> {
  const key = extractorKey(backbone);
  // Prefix activations (partial mode) are many values per image; float16 keeps them at half the size for an
  // error that does not show (scripts/measure-fp16-cache.ts: final features' cosine to float32 ≥ 0.99999999).
  const precision = backbone.cutAt ? 'f16' : 'f32';
  const featureShape = (backbone.model.outputs[0].shape.slice(1) as number[]);
  const size = featureShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(images.length * size);
  const missing: number[] = [];
  readCachedFeatures(db, key, images.map((img) => img.sha256), size, precision).forEach((features, i) => {
    if (features) out.set(features, i * size);
    else missing.push(i);
  });
  // The same picture may appear twice (a pair whose sides are identical): compute it once.
  const unique = [...new Map(missing.map((i) => [images[i].sha256, i])).values()];
  const batchSize = opts.batchSize ?? 8;
  const batches = Array.from({ length: Math.ceil(unique.length / batchSize) }, (_, b) => unique.slice(b * batchSize, (b + 1) * batchSize));
  const start = (k: number) => startImageBatch(batches[k].map((i) => images[i].path), backbone.inputSize);
  let done = images.length - missing.length;
  opts.onProgress?.(done, images.length);
  let next = batches.length ? start(0) : undefined;
  const engine = batches.length ? await engineOf(backbone, true, opts.engine, opts.log) : undefined;
  for (let k = 0; k < batches.length; k++) {
    opts.signal?.throwIfAborted();
    const idx = batches[k];
    const pixels = await (await next!).pixels;
    // Queued before this batch's forward pass, so libvips decodes the next batch while the network runs.
    next = k + 1 < batches.length ? start(k + 1) : undefined;
    if (next) await next;
    const values = await forwardPixels(backbone, engine!, pixels, idx.length);
    noticeFallback(backbone, engine!, opts.log);
    const rows = idx.map((i, j) => ({ sha256: images[i].sha256, features: values.subarray(j * size, (j + 1) * size) }));
    storeCachedFeatures(db, key, featureShape, rows, precision);
    // What this run trains on is what a later run will read back: the stored precision, not the fresh floats.
    const stored = precision === 'f16' ? rows.map((r) => roundToHalf(r.features)) : rows.map((r) => r.features);
    idx.forEach((i, j) => out.set(stored[j], i * size));
    done += idx.length;
    opts.onProgress?.(Math.min(done, images.length), images.length);
  }
  // Fill duplicates that shared one computation.
  for (const i of missing) {
    const first = unique.find((u) => images[u].sha256 === images[i].sha256)!;
    if (first !== i) out.copyWithin(i * size, first * size, (first + 1) * size);
  }
  opts.onProgress?.(images.length, images.length);
  return { shape: featureShape, size, data: out };
}
