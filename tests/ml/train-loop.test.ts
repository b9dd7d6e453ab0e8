import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHead } from '../../src-main/ml/head.ts';
import type { MiningStrategy } from '../../src-main/ml/mining.ts';
import { TRAIN_OPTIONS } from '../../src-shared/train-options.ts';
import {
  planBatches, trainTriplets, type BatchProgress, type NamedTensor, type TrainTripletsOptions,
} from '../../src-main/ml/train-loop.ts';
import { tripletLoss } from '../../src-main/ml/triplet-loss.ts';

/**
 * A separable toy set that a random network does not already separate: pair i shares a random centre in the
 * first 4 dimensions (little noise), while the last 4 are loud noise drawn independently for its left and right
 * image. The head must learn to ignore them. Pairs 0–15 train, 16–23 validate.
 */
const PAIRS = 24;
let left: tf.Tensor2D;
let right: tf.Tensor2D;
const TRAIN = [...Array(16).keys()];
const VAL = [...Array(8).keys()].map((i) => 16 + i);

beforeAll(async () => {
  await tf.setBackend('cpu');
  [left, right] = tf.tidy(() => {
    const centres = tf.concat([tf.randomNormal([PAIRS, 4], 0, 1.5, 'float32', 1), tf.zeros([PAIRS, 4])], 1);
    const noise = (seed: number) => tf.concat([
      tf.randomNormal([PAIRS, 4], 0, 0.1, 'float32', seed),
      tf.randomNormal([PAIRS, 4], 0, 1, 'float32', seed + 10),
    ], 1);
    return [tf.add(centres, noise(2)) as tf.Tensor2D, tf.add(centres, noise(3)) as tf.Tensor2D];
  });
});

afterAll(() => tf.dispose([left, right]));

const inputsFor = (pairs: number[], side: 'left' | 'right'): tf.Tensor =>
  tf.gather(side === 'left' ? left : right, pairs);

const toyModel = (seed = 11): tf.LayersModel => buildHead({ inputShape: [8], pooling: 'avg', embeddingSize: 16, seed });

function options(model: tf.LayersModel, extra: Partial<TrainTripletsOptions> = {}): TrainTripletsOptions {
  return {
    // The toy data is measured in L1 (fixedTripletLoss), so the loop trains in it too.
    model, trainPairs: TRAIN, valPairs: VAL, inputsFor, epochs: 2, batchSize: 4, learningRate: 1e-2, distance: 'l1',
    mining: 'random', seed: 7, ...extra,
  };
}

/** Loss of all training pairs against a fixed negative (the next pair), in inference mode. */
function fixedTripletLoss(model: tf.LayersModel): number {
  return tf.tidy(() => {
    const a = model.predict(tf.gather(left, TRAIN)) as tf.Tensor2D;
    const p = model.predict(tf.gather(right, TRAIN)) as tf.Tensor2D;
    const n = tf.gather(p, TRAIN.map((i) => (i + 1) % TRAIN.length));
    return tripletLoss(a, p, n, { margin: 0.5, distance: 'l1' }).dataSync()[0];
  });
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((w, k) => w.forEach((v, i) => { max = Math.max(max, Math.abs(v - b[k][i])); }));
  return max;
}

describe('trainTriplets', () => {
  it.each<MiningStrategy>(['random', 'semihard', 'hard'])('two epochs with %s mining lower the loss', async (mining) => {
    const model = toyModel();
    const before = fixedTripletLoss(model);
    const result = await trainTriplets(options(model, { mining }));
    const after = fixedTripletLoss(model);
    expect(result.status).toBe('done');
    expect(result.epochsCompleted).toBe(2);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeLessThan(before * 0.7);
    expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
    // Eight validation pairs are separated within an epoch or two, so the val loss may already be 0.
    expect(result.history[1].valLoss).not.toBeNull();
    expect(result.history[1].valLoss!).toBeLessThanOrEqual(result.history[0].valLoss!);
    model.dispose();
  });

  it('fills in what the caller leaves out with the trainer\'s defaults (train-options.ts), not its own', async () => {
    const run = async (extra: Partial<TrainTripletsOptions>) => {
      const model = toyModel();
      let lr: number | undefined;
      const { learningRate: _lr, distance: _d, ...rest } = options(model, extra);
      const result = await trainTriplets({ ...rest, ...extra, onEpoch: (_m, t) => { lr = (t.optimizer as unknown as { learningRate: number }).learningRate; } });
      model.dispose();
      return { losses: result.history.map((h) => h.loss), lr };
    };
    const implicit = await run({});
    const o = TRAIN_OPTIONS;
    expect(implicit.lr).toBe(o.learningRate.default);
    expect(implicit).toEqual(await run({ learningRate: o.learningRate.default, distance: o.distance.default, margin: o.margin.default }));
    // …and the distance really is one of the inputs: the notebook's L1 trains differently.
    expect(implicit.losses).not.toEqual((await run({ distance: 'l1' })).losses);
  });

  it('returns the tensor count to its value after every step, and to the start once done', async () => {
    const model = toyModel();
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    await trainTriplets(options(model, {
      mining: 'semihard', progressIntervalMs: 0, onBatch: () => counts.push(tf.memory().numTensors),
    }));
    expect(counts.length).toBe(8);
    // The first step creates Adam's moments; from the second on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('resuming from epoch 1 with the optimizer state gives the weights of an uninterrupted run', async () => {
    const straight = toyModel();
    await trainTriplets(options(straight, { mining: 'hard' }));

    const first = toyModel();
    let checkpoint: { weights: tf.Tensor[]; state: NamedTensor[] } | undefined;
    await trainTriplets(options(first, {
      mining: 'hard', epochs: 1,
      onEpoch: async (_m, trainer) => {
        checkpoint = { weights: first.getWeights().map((w) => w.clone()), state: await trainer.getOptimizerState() };
      },
    }));
    first.dispose(); // the optimizer state must not depend on the first run's model or optimizer still existing

    const resumeWith = async (state?: NamedTensor[]) => {
      const resumed = toyModel(999); // other initial weights: everything must come from the checkpoint
      resumed.setWeights(checkpoint!.weights);
      const result = await trainTriplets(options(resumed, { mining: 'hard', startEpoch: 1, optimizerState: state }));
      expect(result.history.map((h) => h.epoch)).toEqual([2]);
      const weights = weightsOf(resumed);
      resumed.dispose();
      return weights;
    };
    expect(maxDifference(await resumeWith(checkpoint!.state), weightsOf(straight))).toBeLessThan(1e-5);
    // Without Adam's moments the same resume drifts: the state is what makes it exact.
    expect(maxDifference(await resumeWith(), weightsOf(straight))).toBeGreaterThan(1e-4);
    tf.dispose([...checkpoint!.weights, ...checkpoint!.state.map((s) => s.tensor)]);
    straight.dispose();
  });

  it('stops between batches when cancelled and keeps the completed epochs', async () => {
    const model = toyModel();
    const controller = new AbortController();
    const epochsSeen: number[] = [];
    const result = await trainTriplets(options(model, {
      epochs: 3, progressIntervalMs: 0, signal: controller.signal,
      onBatch: (p) => { if (p.epoch === 2 && p.batch === 2) controller.abort(); },
      onEpoch: (m) => { epochsSeen.push(m.epoch); },
    }));
    expect(result).toMatchObject({ status: 'cancelled', epochsCompleted: 1 });
    expect(result.history.map((h) => h.epoch)).toEqual([1]);
    expect(epochsSeen).toEqual([1]);

    const already = new AbortController();
    already.abort();
    const none = await trainTriplets(options(model, { startEpoch: 1, signal: already.signal }));
    expect(none).toEqual({ status: 'cancelled', epochsCompleted: 1, history: [] });
    model.dispose();
  });

  it('reports progress with sane numbers', async () => {
    const model = toyModel();
    const seen: BatchProgress[] = [];
    await trainTriplets(options(model, { progressIntervalMs: 0, onBatch: (p) => seen.push({ ...p }) }));
    expect(seen.map((p) => `${p.epoch}/${p.epochs}:${p.batch}/${p.batches}`)).toEqual([
      '1/2:1/4', '1/2:2/4', '1/2:3/4', '1/2:4/4', '2/2:1/4', '2/2:2/4', '2/2:3/4', '2/2:4/4',
    ]);
    for (const p of seen) {
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.loss).toBeGreaterThanOrEqual(0);
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(seen[seen.length - 1].etaSeconds).toBe(0);
    expect(seen[0].etaSeconds).toBeGreaterThan(0);
    model.dispose();
  });

  it('feeds every training pair exactly once per epoch, merging a batch of one into the previous batch', async () => {
    const model = toyModel();
    const anchorsFed: number[][] = [];
    const trainPairs = TRAIN.slice(0, 9);
    await trainTriplets(options(model, {
      trainPairs, epochs: 1,
      inputsFor: (pairs, side) => {
        if (side === 'left' && pairs.every((p) => trainPairs.includes(p))) anchorsFed.push(pairs);
        return inputsFor(pairs, side);
      },
    }));
    expect(anchorsFed.map((b) => b.length)).toEqual([4, 5]);
    expect(anchorsFed.flat().sort((x, y) => x - y)).toEqual(trainPairs);
    model.dispose();
  });

  it('never pushes apart pairs a user marked as the same', async () => {
    const trained = async (knownMatches: Map<number, number[]>) => {
      const model = toyModel();
      const before = weightsOf(model);
      const result = await trainTriplets(options(model, { trainPairs: [0, 1], valPairs: [], knownMatches }));
      const change = maxDifference(before, weightsOf(model));
      model.dispose();
      return { change, result };
    };
    const both = await trained(new Map([[0, [1]], [1, [0]]]));
    expect(both.change).toBe(0);
    expect(both.result.history[0]).toMatchObject({ loss: 0, valLoss: null });
    expect((await trained(new Map([[0, [1]]]))).change).toBeGreaterThan(0);
  });

  it('refuses what cannot make a triplet', async () => {
    const model = toyModel();
    await expect(trainTriplets(options(model, { batchSize: 1 }))).rejects.toThrow(/batchSize/);
    await expect(trainTriplets(options(model, { trainPairs: [3] }))).rejects.toThrow(/at least 2/);
    model.dispose();
  });
});

describe('planBatches', () => {
  it('pulls user-marked negatives into their anchor’s batch', () => {
    const order = [0, 1, 2, 3, 4, 5, 6, 7];
    expect(planBatches(order, 4)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(planBatches(order, 4, new Map([[1, [6]], [5, [2]]]))).toEqual([[0, 1, 6, 2], [3, 4, 5, 7]]);
    expect(planBatches([0, 1, 2, 3, 4], 2)).toEqual([[0, 1], [2, 3, 4]]);
  });
});

describe('trainTriplets on the wasm backend', () => {
  it('takes gradient steps with the kernels wasm has', async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    expect(await tf.setBackend('wasm')).toBe(true);
    try {
      expect(tf.getBackend()).toBe('wasm');
      const model = toyModel();
      const before = fixedTripletLoss(model);
      const result = await trainTriplets(options(model, { mining: 'semihard', epochs: 1 }));
      expect(result.status).toBe('done');
      expect(fixedTripletLoss(model)).toBeLessThan(before);
      model.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
