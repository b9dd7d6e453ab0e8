import * as tf from '@tensorflow/tfjs';
import { mineNegatives, negativeCandidates, negativeKey, randomNegatives, type MiningStrategy } from './mining.ts';
import { createRandom, deriveSeed, shuffle } from './seeded-random.ts';
import { tripletLoss, type Distance } from './triplet-loss.ts';
import { TRAIN_OPTIONS } from '../../src-shared/train-options.ts';

/** What a caller leaves out is the trainer's own default (src-shared/train-options.ts), never a second opinion. */
const DEFAULTS = { learningRate: TRAIN_OPTIONS.learningRate.default, margin: TRAIN_OPTIONS.margin.default, distance: TRAIN_OPTIONS.distance.default };

/** A named tensor as tf.Optimizer.getWeights/setWeights use them (tfjs does not export the type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Progress inside an epoch. `epoch` counts from 1; `loss` is the running mean of the epoch so far. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  /** Remaining seconds for the whole call, from the mean batch time so far (validation time not included). */
  etaSeconds: number;
}

/** What one finished epoch measured. `epoch` counts from 1 (the number of epochs trained once it is done). */
export interface EpochMetrics {
  epoch: number;
  /** Mean triplet loss over the epoch's anchors. */
  loss: number;
  /** Triplet loss on the validation pairs with fixed random negatives; null with fewer than 2 of them. */
  valLoss: number | null;
  seconds: number;
}

/** Given to `onEpoch`, so the caller can checkpoint the optimizer next to the weights. */
export interface TrainerHandle {
  readonly optimizer: tf.Optimizer;
  /** Adam's iteration count and moments, as copies the caller owns (and must dispose). */
  getOptimizerState(): Promise<NamedTensor[]>;
}

/** Options of {@link trainTriplets}. */
export interface TrainTripletsOptions {
  /** Input → L2-normalised embedding: the head alone (cached features) or backbone + head (images). */
  model: tf.LayersModel;
  trainPairs: number[];
  valPairs: number[];
  /**
   * The model inputs of these pairs' left or right images, one row per pair, in order. Must return a NEW tensor
   * (e.g. tf.gather from a cache); the loop disposes it after use.
   */
  inputsFor(pairs: number[], side: 'left' | 'right'): tf.Tensor | Promise<tf.Tensor>;
  /** Total epochs of the run, counting those done before `startEpoch`. */
  epochs: number;
  /** Epochs already trained (resuming from a checkpoint); the loop runs epochs startEpoch+1 … epochs. */
  startEpoch?: number;
  /** At least 2: an anchor needs another pair of its batch as negative. */
  batchSize: number;
  /** Default: the trainer's (src-shared/train-options.ts), as for `margin` and `distance`. */
  learningRate?: number;
  margin?: number;
  distance?: Distance;
  mining: MiningStrategy;
  seed: number;
  /** Anchor pair → pairs a user marked "not a match": pulled into the anchor's batch and mined first. */
  extraNegatives?: ReadonlyMap<number, readonly number[]>;
  /** Anchor pair → pairs a user marked "also a match": never used as that anchor's negative. */
  knownMatches?: ReadonlyMap<number, readonly number[]>;
  /** From {@link TrainerHandle.getOptimizerState} of the checkpoint being resumed; not taken over. */
  optimizerState?: NamedTensor[];
  /** Called after a batch when at least `progressIntervalMs` passed since the last call, and after each epoch's last batch. */
  onBatch?(progress: BatchProgress): void;
  /** Returning `'stop'` ends the run after this epoch, as done (early stopping: the caller decides on what). */
  onEpoch?(metrics: EpochMetrics, trainer: TrainerHandle): void | 'stop' | Promise<void | 'stop'>;
  /** Checked before every batch; an epoch already past its last batch still validates and reports. */
  signal?: AbortSignal;
  progressIntervalMs?: number;
}

/** How a call ended. `epochsCompleted` counts from zero, including `startEpoch`; `history` only this call's epochs. */
export interface TrainResult {
  status: 'done' | 'cancelled';
  epochsCompleted: number;
  history: EpochMetrics[];
  /** True when `onEpoch` asked to stop before the last epoch. */
  stoppedEarly?: boolean;
}

// Independent random streams derived from the run seed, so a resumed run draws what the uninterrupted one would.
const STREAM_SHUFFLE = 1;
const STREAM_MINING = 2;
const STREAM_VALIDATION = 3;

/**
 * Trains `model` with the triplet loss: anchor = left image of a pair, positive = its right image, negative = the
 * right image of another pair of the same batch, chosen by `mining`. Adam, one step per batch.
 *
 * Each step runs ONE forward pass, in training mode, over the batch's lefts and rights together, inside the
 * optimizer's gradient closure; the negatives are mined from those very embeddings (reading values has no
 * gradient) and the loss is taken over gathered rows. A separate mining pass would double the cost and, in
 * training mode, update the batch-norm moving averages twice per step.
 *
 * Weights are changed in place. The model keeps the partial progress of a cancelled epoch; the caller's last
 * `onEpoch` checkpoint is the consistent state to resume from.
 */
export async function trainTriplets(options: TrainTripletsOptions): Promise<TrainResult> {
  const { model, trainPairs, valPairs, epochs, batchSize, seed, signal } = options;
  const startEpoch = options.startEpoch ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new RangeError(`batchSize must be ≥ 2, got ${batchSize}`);
  if (trainPairs.length < 2) throw new RangeError(`triplet training needs at least 2 training pairs, got ${trainPairs.length}`);
  if (startEpoch < 0 || startEpoch > epochs) throw new RangeError(`startEpoch ${startEpoch} is outside 0…${epochs}`);

  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(options.learningRate ?? DEFAULTS.learningRate);
  const trainer: TrainerHandle = { optimizer, getOptimizerState: () => copyOptimizerState(optimizer) };
  try {
    const state = options.optimizerState;
    if (state && state.length > 0) {
      // Adam matches moments to variables by position: a model with other trainable weights cannot take them.
      if (state.length > 1 && state.length !== 1 + 2 * varList.length) {
        throw new Error(`optimizer state holds ${(state.length - 1) / 2} moments but the model has ${varList.length} trainable weights`);
      }
      await optimizer.setWeights(state);
    }

    const valNegatives = randomNegatives(
      valPairs.length,
      createRandom(deriveSeed(seed, STREAM_VALIDATION)),
      couples(valPairs, options.knownMatches),
    );
    const history: EpochMetrics[] = [];
    const runStart = performance.now();
    let batchesDone = 0;
    let lastReport = -Infinity;
    const interval = options.progressIntervalMs ?? 250;

    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      const order = shuffle(trainPairs, createRandom(deriveSeed(seed, STREAM_SHUFFLE, epoch)));
      const batches = planBatches(order, batchSize, options.extraNegatives);
      const totalBatches = batches.length * (epochs - startEpoch);
      let lossSum = 0;
      let anchorsSum = 0;

      for (let b = 0; b < batches.length; b++) {
        if (signal?.aborted) return { status: 'cancelled', epochsCompleted: epoch, history };
        const step = await trainStep(options, optimizer, varList, batches[b], epoch, b);
        lossSum += step.loss * step.anchors;
        anchorsSum += step.anchors;
        batchesDone++;
        const now = performance.now();
        if (options.onBatch && (now - lastReport >= interval || b === batches.length - 1)) {
          lastReport = now;
          const perBatch = (now - runStart) / 1000 / batchesDone;
          options.onBatch({
            epoch: epoch + 1, epochs, batch: b + 1, batches: batches.length,
            loss: anchorsSum > 0 ? lossSum / anchorsSum : 0,
            etaSeconds: perBatch * (totalBatches - batchesDone),
          });
        }
        // Lets an abort (or an IPC message carrying one) be delivered between two synchronous steps.
        await yieldToEventLoop();
      }

      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        loss: anchorsSum > 0 ? lossSum / anchorsSum : 0,
        valLoss: await validationLoss(options, valNegatives),
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(metrics);
      if ((await options.onEpoch?.(metrics, trainer)) === 'stop' && epoch + 1 < epochs) {
        return { status: 'done', epochsCompleted: epoch + 1, history, stoppedEarly: true };
      }
    }
    return { status: 'done', epochsCompleted: epochs, history };
  } finally {
    optimizer.dispose();
  }
}

/**
 * Splits a shuffled epoch order into batches. An anchor with user-marked negatives pulls them into its batch
 * while there is room (mining only sees the batch), best effort: a negative already placed stays where it is.
 * A trailing batch of one cannot have a negative, so it joins the previous batch.
 */
export function planBatches(
  order: readonly number[],
  batchSize: number,
  extraNegatives?: ReadonlyMap<number, readonly number[]>,
): number[][] {
  const inOrder = new Set(order);
  const placed = new Set<number>();
  const batches: number[][] = [];
  let current: number[] = [];
  const place = (pair: number): void => {
    current.push(pair);
    placed.add(pair);
    if (current.length === batchSize) {
      batches.push(current);
      current = [];
    }
  };
  for (const pair of order) {
    if (placed.has(pair)) continue;
    place(pair);
    for (const negative of extraNegatives?.get(pair) ?? []) {
      if (current.length === 0) break; // the anchor's batch just closed
      if (inOrder.has(negative) && !placed.has(negative)) place(negative);
    }
  }
  if (current.length > 0) batches.push(current);
  if (batches.length > 1 && batches[batches.length - 1].length === 1) {
    batches[batches.length - 2].push(...batches.pop()!);
  }
  return batches;
}

async function trainStep(
  options: TrainTripletsOptions,
  optimizer: tf.Optimizer,
  varList: tf.Variable[],
  pairs: number[],
  epoch: number,
  batchIndex: number,
): Promise<{ loss: number; anchors: number }> {
  const margin = options.margin ?? DEFAULTS.margin;
  const distance = options.distance ?? DEFAULTS.distance;
  const forbidden = couples(pairs, options.knownMatches);
  const preferred = couples(pairs, options.extraNegatives);
  // Known before any forward pass: whether an anchor has a candidate depends only on the marks.
  if (pairs.every((_, i) => negativeCandidates(i, pairs.length, { forbidden }).length === 0)) {
    return { loss: 0, anchors: 0 };
  }
  const random = createRandom(deriveSeed(options.seed, STREAM_MINING, epoch, batchIndex));
  const left = await options.inputsFor(pairs, 'left');
  const right = await options.inputsFor(pairs, 'right');
  let anchors = 0;
  try {
    const cost = optimizer.minimize(() => {
      const embeddings = options.model.apply(tf.concat([left, right]), { training: true }) as tf.Tensor2D;
      const [a, p] = tf.split(embeddings, 2) as [tf.Tensor2D, tf.Tensor2D];
      const negatives = mineNegatives(a, p, { strategy: options.mining, distance, margin, random, forbidden, preferred });
      const rows = negatives.flatMap((n, i) => (n >= 0 ? [i] : []));
      anchors = rows.length;
      return tripletLoss(
        selectRows(a, rows), selectRows(p, rows), selectRows(p, rows.map((i) => negatives[i])),
        { margin, distance },
      );
    }, true, varList);
    const loss = (await cost!.data())[0];
    cost!.dispose();
    return { loss, anchors };
  } finally {
    left.dispose();
    right.dispose();
  }
}

async function validationLoss(options: TrainTripletsOptions, negatives: number[]): Promise<number | null> {
  const rows = negatives.flatMap((n, i) => (n >= 0 ? [i] : []));
  if (rows.length === 0) return null;
  const { valPairs, batchSize, model } = options;
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < valPairs.length; start += batchSize) {
      const chunk = valPairs.slice(start, start + batchSize);
      const left = await options.inputsFor(chunk, 'left');
      const right = await options.inputsFor(chunk, 'right');
      try {
        parts.push(tf.tidy(() => model.apply(tf.concat([left, right]), { training: false }) as tf.Tensor2D));
      } finally {
        left.dispose();
        right.dispose();
      }
    }
    return tf.tidy(() => {
      const halves = parts.map((e) => tf.split(e, 2));
      const a = tf.concat(halves.map((h) => h[0])) as tf.Tensor2D;
      const p = tf.concat(halves.map((h) => h[1])) as tf.Tensor2D;
      const loss = tripletLoss(tf.gather(a, rows), tf.gather(p, rows), tf.gather(p, rows.map((i) => negatives[i])), {
        margin: options.margin ?? DEFAULTS.margin,
        distance: options.distance ?? DEFAULTS.distance,
      });
      return loss.dataSync()[0];
    });
  } finally {
    tf.dispose(parts);
  }
}

/** (anchor row, candidate row) keys of `pairs` for the anchor → pairs marks of a map, restricted to `pairs`. */
function couples(pairs: readonly number[], marks?: ReadonlyMap<number, readonly number[]>): Set<string> | undefined {
  if (!marks || marks.size === 0) return undefined;
  const rowOf = new Map(pairs.map((pair, row) => [pair, row]));
  const keys = new Set<string>();
  pairs.forEach((pair, row) => {
    for (const other of marks.get(pair) ?? []) {
      const otherRow = rowOf.get(other);
      if (otherRow !== undefined) keys.add(negativeKey(row, otherRow));
    }
  });
  return keys;
}

async function copyOptimizerState(optimizer: tf.Optimizer): Promise<NamedTensor[]> {
  // Adam hands out its live moment variables (after a fresh iteration scalar); copies outlive the optimizer.
  const [iterations, ...moments] = await optimizer.getWeights();
  return [iterations, ...moments.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }))];
}

/**
 * tf.gather by a one-hot product. Gather's gradient needs UnsortedSegmentSum, which tfjs-backend-wasm 4.22 does
 * not have; a matMul's gradient is another matMul. Exact: each output sums one term with zeros.
 */
function selectRows(x: tf.Tensor2D, rows: number[]): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.oneHot(tf.tensor1d(rows, 'int32'), x.shape[0]).toFloat(), x));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
