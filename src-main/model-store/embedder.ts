import * as tf from '@tensorflow/tfjs';
import type { Db } from '../catalog/open-catalog.ts';
import { initBackend } from '../ml/backend.ts';
import type { Backbone } from '../ml/backbones/backbone.ts';
import '../ml/head.ts'; // registers the L2Normalize layer that stored models use
import type { BackboneId, FeatureRecipeId } from '../../src-shared/train-options.ts';
import { checkpointLoader } from './checkpoint-io.ts';
import { backboneOutputs, cachedFeatures, extractorKey, featureRows, type FeatureTable } from './feature-cache.ts';
import { loadBackbone, MEASURED_BEST, partialBackbone, type WeightsOptions } from './load-backbone.ts';
import { getRun, loadCheckpoint } from '../catalog/runs.ts';
import { runEmbedderKey } from '../catalog/embeddings.ts';

/** An image to embed: a catalog image (features cached by hash) or bytes from outside (a query upload). */
export type EmbedInput = { sha256: string; path: string } | { buffer: Buffer };

/** Image → L2-normalised vector, for a trained run or an untrained backbone (the baseline). */
export interface Embedder {
  /** Names the vectors in the catalog's embeddings table: `run:12`, `untrained:mobilenetv2@224:…`. */
  readonly key: string;
  readonly dim: number;
  /** Row-major [inputs.length × dim]. */
  embed(inputs: EmbedInput[], opts?: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal }): Promise<Float32Array>;
  dispose(): void;
}

/** A run that cannot embed yet (no checkpoint), with a code the UI acts on. */
export class EmbedderError extends Error {
  constructor(readonly code: 'NO_CHECKPOINT' | 'NO_RUN', message: string) {
    super(message);
  }
}

const BATCH = 16;

/** Backbone features of each input, in order: catalog images through the feature cache, bytes computed now. */
async function featuresOf(
  db: Db,
  backbone: Backbone,
  inputs: EmbedInput[],
  opts: Parameters<Embedder['embed']>[1] = {},
  useCache = true,
): Promise<FeatureTable> {
  const refs = useCache ? inputs.flatMap((x, i) => ('sha256' in x ? [{ ...x, i }] : [])) : [];
  const cached = refs.length ? await cachedFeatures(db, backbone, refs, opts) : undefined;
  const shape = backbone.model.outputs[0].shape.slice(1) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(inputs.length * size);
  refs.forEach((r, j) => data.set(cached!.data.subarray(j * size, (j + 1) * size), r.i * size));
  const loose = inputs.flatMap((x, i): { source: string | Buffer; i: number }[] =>
    'buffer' in x ? [{ source: x.buffer, i }] : useCache ? [] : [{ source: x.path, i }],
  );
  for (let b = 0; b < loose.length; b += BATCH) {
    opts.signal?.throwIfAborted();
    const chunk = loose.slice(b, b + BATCH);
    // Uncached means a finetuned model (see runEmbedder): not frozen weights, so it stays on tfjs.
    const values = await backboneOutputs(backbone, chunk.map((c) => c.source), { frozen: useCache });
    chunk.forEach((c, j) => data.set(values.subarray(j * size, (j + 1) * size), c.i * size));
    opts.onProgress?.(Math.min(b + BATCH, loose.length), loose.length);
  }
  return { shape, size, data };
}

/** Applies `net` to the rows of a feature table, a batch at a time. */
async function applyRows(net: (x: tf.Tensor) => tf.Tensor, table: FeatureTable, n: number, dim: number): Promise<Float32Array> {
  const out = new Float32Array(n * dim);
  for (let b = 0; b < n; b += 64) {
    const rows = Array.from({ length: Math.min(64, n - b) }, (_, j) => b + j);
    const x = featureRows(table, rows);
    const y = tf.tidy(() => net(x));
    x.dispose();
    out.set((await y.data()) as Float32Array, b * dim);
    y.dispose();
  }
  return out;
}

/**
 * The embedder of a trained run: its backbone and its stored model (the latest checkpoint). Head-mode runs reuse
 * the catalog's cached backbone features, so embedding the catalog costs a head pass per image once trained.
 */
export async function runEmbedder(db: Db, runId: number, weights: WeightsOptions = {}): Promise<Embedder> {
  const run = getRun(db, runId);
  const checkpoint = loadCheckpoint(db, runId);
  if (!checkpoint) throw new EmbedderError('NO_CHECKPOINT', `run ${runId} has no finished epoch yet, so no model to query with`);
  await initBackend();
  const backbone = await loadBackbone(run.config.backbone, run.config.inputSize, weights, () => {}, run.config.features ?? 'final');
  const model = await tf.loadLayersModel(checkpointLoader(checkpoint));
  const dim = model.outputs[0].shape[1] as number;
  // Head and partial runs store a model that starts from cached features: the backbone's, or its prefix's.
  const features = run.config.mode === 'head' ? backbone : run.config.mode === 'partial' ? partialBackbone(backbone).prefix : undefined;
  return {
    key: runEmbedderKey(runId),
    dim,
    async embed(inputs, opts) {
      if (features) return applyRows((x) => model.predict(x) as tf.Tensor, await featuresOf(db, features, inputs, opts), inputs.length, dim);
      // A finetuned model starts from pixels (it holds its own, trained copy of the backbone's layers): its
      // outputs are embeddings, which must not go into the backbone-feature cache.
      const imageModel: Backbone = { ...backbone, model };
      return (await featuresOf(db, imageModel, inputs, opts, false)).data;
    },
    dispose() {
      model.dispose();
      backbone.model.dispose();
    },
  };
}

/**
 * The untrained baseline: the backbone's ImageNet features (`recipe`: a run's own, so a run is compared with the
 * very features it trained on; by default the backbone's measured best), average-pooled when they are a map,
 * L2-normalised. What a user would get without training: the number training has to beat.
 */
export async function untrainedEmbedder(db: Db, choice: BackboneId, weights: WeightsOptions = {}, recipe: FeatureRecipeId | typeof MEASURED_BEST = MEASURED_BEST): Promise<Embedder> {
  await initBackend();
  const backbone = await loadBackbone(choice, undefined, weights, () => {}, recipe);
  const shape = backbone.model.outputs[0].shape.slice(1) as number[];
  const dim = shape[shape.length - 1];
  return {
    key: `untrained:${extractorKey(backbone)}`,
    dim,
    async embed(inputs, opts) {
      const pool = (x: tf.Tensor) => (x.rank === 4 ? tf.mean(x, [1, 2]) : x);
      return applyRows((x) => tf.div(pool(x), tf.maximum(tf.norm(pool(x), 2, -1, true), 1e-12)), await featuresOf(db, backbone, inputs, opts), inputs.length, dim);
    },
    dispose() {
      backbone.model.dispose();
    },
  };
}
