import * as tf from '@tensorflow/tfjs';
import type { Db } from '../catalog/open-catalog.ts';
import { findDataset, pairsWithImages } from '../catalog/datasets.ts';
import { initBackend } from '../ml/backend.ts';
import type { Backbone } from '../ml/backbones/backbone.ts';
import { OFFLINE_BACKBONE } from '../ml/backbones/registry.ts';
import { buildHead, buildSiamese, keepFrozenBatchNormInInference } from '../ml/head.ts';
import { trainTriplets, type NamedTensor } from '../ml/train-loop.ts';
import type { EpochRow, RunSummary, TrainConfig, TrainProgress, TrainRequest } from '../../src-shared/training-types.ts';
import { captureCheckpoint, checkpointLoader, decodeOptimizerState } from '../model-store/checkpoint-io.ts';
import { cachedFeatures, featureRows, type ImageRef } from '../model-store/feature-cache.ts';
import { readImageBatch } from '../ml/image-tensor.ts';
import { loadBackbone, MEASURED_BEST, partialBackbone, type WeightsOptions } from '../model-store/load-backbone.ts';
import { claimRun, createRun, finishRun, getRun, keepCheckpointOf, loadCheckpoint, newLeaseOwner, recordEpoch, setRunMetrics, type CheckpointData } from '../catalog/runs.ts';
import { RunLeaseKeeper, RunTakenOverError } from './run-lease.ts';
import { runMetrics } from '../ml/metrics/score-paired-sets.ts';
import { resolveTrainConfig } from '../model-store/train-config.ts';
import { trainingFeedback } from '../catalog/feedback.ts';
import { lookalikeVariants } from '../model-store/augment.ts';
import { adoptLegacyGeneratedFiles, generatedDir } from '../model-store/generated-files.ts';
import { addLookalikePairs, assembleTrainingData, type TrainingData } from './training-data.ts';
import { fitWhitenedHead } from './whitened-head.ts';
import { scorePairs, scoreVal, type InputsFor } from './score-run.ts';

/** Callbacks and controls of a training job. */
export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  /** After each epoch is stored with its checkpoint. */
  onEpoch?: (runId: number, row: EpochRow) => void;
  /** The run exists in the catalog (its id is known) — before the first epoch. */
  onRunCreated?: (runId: number) => void;
  /** One-line messages for the user: the backend, fallbacks. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  weights?: WeightsOptions;
  /** Resume: take the run over even if its lease has not expired (its owner is known to be gone). */
  force?: boolean;
  /** The clock leases are judged and renewed by (ms); tests inject one. */
  clock?: () => number;
}

/**
 * Trains a new run on a dataset (by name or id) and returns it as stored. The run, every epoch and a
 * checkpoint after each epoch are in the catalog as they happen; cancelling (signal) leaves it `cancelled`
 * with its epochs kept, an error leaves it `failed` with the message, and either can be resumed.
 */
export async function trainNewRun(db: Db, dataset: string | number, request: TrainRequest, hooks: TrainHooks = {}): Promise<RunSummary> {
  const log = hooks.log ?? (() => {});
  const backend = await initBackend({ log });
  const ds = findDataset(db, dataset);
  // Check every flag before the slow backbone load; the backbone-dependent defaults are filled in after it.
  resolveTrainConfig(request, backend, request.backbone ?? OFFLINE_BACKBONE);
  hooks.onProgress?.({ phase: 'prepare', message: 'loading the backbone' });
  const backbone = await loadBackbone(request.backbone, request.inputSize, { ...hooks.weights, signal: hooks.signal }, log, request.features ?? MEASURED_BEST);
  try {
    const config = resolveTrainConfig(request, backend, backbone.id);
    const data = await trainingData(db, ds.id, config, hooks);
    const owner = newLeaseOwner();
    const runId = createRun(db, ds.id, config, `${backend.name} (${backend.device})`, backbone.weightsSource, { owner, now: (hooks.clock ?? Date.now)() });
    hooks.onRunCreated?.(runId);
    return await runLoop({ db, lease: new RunLeaseKeeper(db, runId, owner, hooks.clock), config, backbone, data, hooks });
  } finally {
    backbone.model.dispose();
  }
}

/** Continues a cancelled, failed or interrupted run from its last checkpoint, with the same configuration. */
export async function resumeRun(db: Db, runId: number, hooks: TrainHooks = {}): Promise<RunSummary> {
  const log = hooks.log ?? (() => {});
  const clock = hooks.clock ?? Date.now;
  const run = getRun(db, runId, clock());
  if (run.status === 'done') throw Object.assign(new Error(`run ${runId} is already done (${run.epochsDone} epochs)`), { code: 'RUN_DONE' });
  if (run.status === 'running' && !run.interrupted && !hooks.force) {
    throw Object.assign(
      new Error(`run ${runId} is still running in another process (its lease is being renewed); if that process is gone, \`lookalike resume ${runId} --force\` takes it over`),
      { code: 'RUN_BUSY' },
    );
  }
  const backend = await initBackend({ log });
  // Claimed before the slow part, and only if nobody claimed it since we looked: two resumes of one run (two
  // tabs, the CLI and the app) must not both train it.
  const owner = newLeaseOwner();
  const refused = claimRun(db, run, `${backend.name} (${backend.device})`, { owner, now: clock(), force: hooks.force });
  if (refused) throw Object.assign(new Error(`run ${runId} was just resumed by another process`), { code: refused === 'RUN_DONE' ? 'RUN_DONE' : 'RUN_BUSY' });
  const lease = new RunLeaseKeeper(db, runId, owner, hooks.clock);
  let backbone: Backbone;
  try {
    lease.start();
    backbone = await loadBackbone(run.config.backbone, run.config.inputSize, { ...hooks.weights, signal: hooks.signal }, log, run.config.features ?? 'final');
  } catch (e) {
    lease.stop();
    finishRun(db, runId, 'failed', (e as Error).message, owner);
    throw e;
  }
  const config = run.config;
  try {
    hooks.onRunCreated?.(runId);
    const data = await trainingData(db, run.datasetId, config, hooks);
    return await runLoop({ db, lease, config, backbone, data, hooks, checkpoint: loadCheckpoint(db, runId) });
  } finally {
    lease.stop();
    backbone.model.dispose();
  }
}

/** The dataset's training data, with `config.augment` look-alikes per training pair when asked for. */
async function trainingData(db: Db, datasetId: number, config: TrainConfig, hooks: TrainHooks): Promise<TrainingData> {
  const data = assembleTrainingData(pairsWithImages(db, { datasetId }), (index) => trainingFeedback(db, index), config.symmetric ?? false);
  const count = config.augment ?? 0;
  if (!count) return data;
  // Under the folder Lookalike owns beside the catalog, not loose beside it (see catalogDataDir); made once.
  adoptLegacyGeneratedFiles(db.name);
  const dir = generatedDir(db.name, 'augment');
  const originals = [...data.trainPairs];
  const variants: ImageRef[][] = [];
  for (const [n, i] of originals.entries()) {
    hooks.signal?.throwIfAborted();
    hooks.onProgress?.({ phase: 'prepare', message: `making look-alikes ${n + 1}/${originals.length}` });
    variants.push(await lookalikeVariants(data.left[i], count, config.seed, dir, config.augmentStyle ?? 'classic'));
  }
  return addLookalikePairs(data, originals, variants);
}

/** What one training loop works on: the run (through the lease this process holds on it), its configuration, its backbone and data, and where it resumes. */
interface LoopOptions {
  db: Db;
  lease: RunLeaseKeeper;
  config: TrainConfig;
  backbone: Backbone;
  data: TrainingData;
  hooks: TrainHooks;
  /** The checkpoint a resumed run continues from; none for a new run. */
  checkpoint?: ReturnType<typeof loadCheckpoint>;
}

async function runLoop({ db, lease, config, backbone, data, hooks, checkpoint }: LoopOptions): Promise<RunSummary> {
  const { runId, owner } = lease;
  let optimizerState: NamedTensor[] = [];
  let model: tf.LayersModel | undefined;
  lease.start();
  try {
    let inputsFor: InputsFor;
    let featureShape: number[];
    // Partial mode: the frozen prefix's activation is cached like head mode's features; the suffix trains.
    const partial = config.mode === 'partial' ? partialBackbone(backbone) : undefined;
    if (config.mode === 'head' || partial) {
      // Frozen backbone (or prefix): each image's features once (cached in the catalog), then the rest trains.
      const all = [...data.left, ...data.right];
      const features = await cachedFeatures(db, partial?.prefix ?? backbone, all, {
        signal: hooks.signal,
        log: hooks.log,
        onProgress: (done, total) => hooks.onProgress?.({ phase: 'features', done, total }),
      });
      featureShape = features.shape;
      // Rows 0…n-1 are the left images, n…2n-1 the right ones; only each batch's rows become a tensor.
      const n = data.left.length;
      inputsFor = (pairs, side) => featureRows(features, side === 'left' ? pairs : pairs.map((i) => i + n));
    } else {
      featureShape = backbone.model.outputs[0].shape.slice(1) as number[];
      inputsFor = async (pairs, side) => {
        const raw = await readImageBatch(pairs.map((i) => data[side][i].path), config.inputSize);
        const x = tf.tidy(() => backbone.preprocess(raw));
        raw.dispose();
        return x;
      };
    }
    hooks.onProgress?.({ phase: 'prepare', message: 'building the model' });
    // What the head sees: in partial mode the suffix's output, not the cached prefix activation.
    const headShape = partial ? (partial.suffix.outputs[0].shape.slice(1) as number[]) : featureShape;
    const whitened = (config.head ?? 'mlp') === 'whitened';
    if (!whitened && config.pooling === 'flatten' && headShape.length === 3 && !checkpoint) {
      const inputs = headShape.reduce((a, b) => a * b, 1);
      // ResNet50's 7×7×2048 map flattened feeds 100 352 inputs into Dense 512: a 51 M-weight layer
      // (npm run bench:train: ~6 min per 1 000 triplets on wasm, ~17× the avg-pooled head).
      hooks.log?.(`notice: --pooling flatten gives the head ${((inputs * 512) / 1e6).toFixed(0)} M weights in its first layer (the notebook's choice); --pooling avg trains far faster on a CPU`);
    }
    // What the head sits on: nothing in head mode (cached features are its input), else the layers that train.
    const base = config.mode === 'head' ? undefined : partial?.suffix ?? backbone.model;
    const newHead = async (): Promise<tf.LayersModel> => {
      if (!whitened) return buildHead({ inputShape: headShape, pooling: config.pooling, embeddingSize: config.embeddingSize, seed: config.seed });
      hooks.onProgress?.({ phase: 'prepare', message: 'fitting the learned whitening on the training pairs' });
      return fitWhitenedHead({ base, inputsFor, trainPairs: data.trainPairs, embeddingSize: config.embeddingSize, log: hooks.log, signal: hooks.signal });
    };
    let net: tf.LayersModel;
    if (checkpoint) net = await tf.loadLayersModel(checkpointLoader(checkpoint));
    else {
      const head = await newHead();
      net = base ? buildSiamese({ backbone: base, head }) : head;
    }
    model = net;
    if (config.mode === 'finetune') {
      freezeBefore(net, backbone.freezeBefore);
      // A model loaded from a checkpoint was not built by buildSiamese: patch its frozen batch norms too.
      keepFrozenBatchNormInInference(net);
    }
    optimizerState = checkpoint ? decodeOptimizerState(checkpoint) : [];
    const patience = config.patience ?? 0;
    if (patience > 0 && data.valPairs.length === 0) hooks.log?.('notice: --patience needs val pairs to watch; this dataset has none, so every epoch trains');
    // Early stopping watches val R@1. A resumed run starts from its checkpoint's epoch as the best so far: the
    // weights of a better epoch before it are gone (the catalog keeps one checkpoint per run).
    const resumedFrom = checkpoint ? getRun(db, runId).epochs.find((e) => e.epoch === checkpoint.epoch) : undefined;
    // Only with early stopping on: without it the run's model is always its last epoch's (a preset `best` would
    // make a resumed run fall back to the epoch it was resumed from).
    let best: { epoch: number; recall1: number; checkpoint: CheckpointData } | undefined =
      patience > 0 && checkpoint && resumedFrom?.val ? { epoch: resumedFrom.epoch, recall1: resumedFrom.val.recall1, checkpoint } : undefined;

    const result = await trainTriplets({
      model: net,
      trainPairs: data.trainPairs,
      valPairs: data.valPairs,
      inputsFor,
      epochs: config.epochs,
      startEpoch: checkpoint?.epoch ?? 0,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      margin: config.margin,
      distance: config.distance,
      mining: config.mining,
      seed: config.seed,
      extraNegatives: data.extraNegatives,
      knownMatches: data.knownMatches,
      optimizerState,
      signal: hooks.signal,
      progressIntervalMs: 500,
      onBatch: (p) => {
        lease.renew();
        hooks.onProgress?.({ phase: 'train', ...p });
      },
      onEpoch: async (m, trainer) => {
        const val = data.valPairs.length ? (await scorePairs(net, inputsFor, data.valPairs)).scores : null;
        const row: EpochRow = { ...m, val: val && { recall1: val.recall['1'], recall5: val.recall['5'], mrr: val.mrr } };
        const state = await trainer.getOptimizerState();
        let saved: CheckpointData;
        try {
          // Never write an epoch into a run another process has taken over.
          lease.renew(true);
          saved = await captureCheckpoint(net, state);
          recordEpoch(db, runId, row, saved);
        } finally {
          state.forEach((s) => s.tensor.dispose());
        }
        hooks.onEpoch?.(runId, row);
        if (patience === 0 || !val) return;
        // Strictly better only: on a tie the earlier epoch, trained less, is kept.
        if (!best || val.recall['1'] > best.recall1) best = { epoch: m.epoch, recall1: val.recall['1'], checkpoint: saved };
        else if (m.epoch - best.epoch >= patience) return 'stop';
      },
    });
    if (result.status === 'done' && best && best.epoch < result.epochsCompleted) {
      hooks.log?.(`early stopping: val Recall@1 peaked at epoch ${best.epoch} (${best.recall1.toFixed(3)})${result.stoppedEarly ? `, stopped after epoch ${result.epochsCompleted}` : ''}; the run keeps epoch ${best.epoch}'s weights`);
      // The best epoch's weights become the run's model, and the test split below is measured with them.
      keepCheckpointOf(db, runId, best.epoch, best.checkpoint);
      const kept = await tf.loadLayersModel(checkpointLoader(best.checkpoint));
      net.setWeights(kept.getWeights());
      kept.dispose();
    }
    if (result.status === 'done') {
      hooks.onProgress?.({ phase: 'prepare', message: 'measuring the test split and calibrating the match threshold' });
      const val = data.valPairs.length ? await scoreVal(net, inputsFor, data) : null;
      const test = data.testPairs.length ? await scorePairs(net, inputsFor, data.testPairs) : null;
      setRunMetrics(db, runId, runMetrics(val?.scores ?? null, test, val?.calibration));
    }
    lease.renew(true);
    finishRun(db, runId, result.status === 'done' ? 'done' : 'cancelled', undefined, owner);
    return getRun(db, runId);
  } catch (e) {
    if (e instanceof RunTakenOverError) throw e;
    const cancelled = hooks.signal?.aborted;
    // tfjs-backend-wasm reports an exhausted heap as a wasm trap; say what it means and what to change.
    if (!cancelled && e instanceof Error && e.message === 'memory access out of bounds') {
      e = Object.assign(new Error(`the compute backend ran out of memory (batch size ${config.batchSize}, input ${config.inputSize} px); try a smaller --batch-size or --input-size`), { code: 'OUT_OF_MEMORY' });
    }
    finishRun(db, runId, cancelled ? 'cancelled' : 'failed', cancelled ? undefined : (e as Error).message, owner);
    if (cancelled) return getRun(db, runId);
    throw e;
  } finally {
    lease.stop();
    optimizerState.forEach((s) => s.tensor.dispose());
    // On every path, failures included: what the run built on top of the backbone.
    if (model) disposeHeadOnly(model, backbone);
  }
}

/** Finetune mode: layers before the freeze point keep their ImageNet weights (the notebook's `conv4_block1_out`). */
function freezeBefore(model: tf.LayersModel, layerName: string): void {
  const index = model.layers.findIndex((l) => l.name === layerName);
  if (index < 0) throw new Error(`freeze point ${layerName} is not a layer of the model`);
  model.layers.forEach((l, i) => (l.trainable = i >= index));
}

/** Disposes what the run built on top of the backbone; the backbone itself is disposed by its owner. */
function disposeHeadOnly(model: tf.LayersModel, backbone: Backbone): void {
  const backboneWeights = new Set(backbone.model.weights.map((w) => w.id));
  for (const w of model.weights) if (!backboneWeights.has(w.id)) w.dispose();
}

