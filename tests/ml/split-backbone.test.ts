import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitBackbone } from '../../src-main/ml/backbones/split-backbone.ts';
import { buildHead } from '../../src-main/ml/head.ts';
import { trainTriplets } from '../../src-main/ml/train-loop.ts';
import { loadBackbone } from '../../src-main/model-store/load-backbone.ts';
import type { Backbone } from '../../src-main/ml/backbones/backbone.ts';
import { initBackend } from '../../src-main/ml/backend.ts';

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

let mobile: Backbone;
beforeAll(async () => {
  await initBackend();
  mobile = await loadBackbone('mobilenetv2', 64, {}, () => {});
});
afterAll(() => mobile.model.dispose());

describe('the frozen prefix and the trainable suffix of a backbone', () => {
  it('suffix(prefix(x)) equals the whole MobileNetV2 within 1e-4, at its own freeze point and a recipe’s', async () => {
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3);
    const whole = mobile.model.predict(x) as tf.Tensor;
    for (const at of [mobile.freezeBefore, 'block_11_expand', 'block_9_expand']) {
      const { prefix, suffix, cutLayer } = splitBackbone(mobile.model, at);
      const cached = prefix.predict(x) as tf.Tensor;
      // The cached activation is the one map the suffix starts from (block 13's output feeds block 14).
      if (at === 'block_14_expand') expect(cutLayer).toBe('block_13_project_BN');
      const y = suffix.predict(cached) as tf.Tensor;
      expect(maxAbs(y, whole), at).toBeLessThanOrEqual(1e-4);
      // The cut shares the backbone's weights: no copy was made.
      const ids = new Set(mobile.model.weights.map((w) => w.id));
      expect(suffix.weights.every((w) => ids.has(w.id))).toBe(true);
      expect(suffix.weights.length).toBeGreaterThan(0);
      tf.dispose([cached, y]);
    }
    tf.dispose([x, whole]);
  });

  it('refuses a cut inside a residual block, where the skip connection crosses it', () => {
    // block_14_project sits between block_14's input and its add, which still reads block 13's output.
    expect(() => splitBackbone(mobile.model, 'block_14_project')).toThrow(/read 2 tensors .*cut at the start of a block/);
    expect(() => splitBackbone(mobile.model, 'no_such_layer')).toThrow(/not a layer/);
  });

  it('a two-epoch partial fit on cached prefix activations lowers the loss and leaks no tensors', async () => {
    const start = tf.memory().numTensors;
    const { prefix, suffix } = splitBackbone(mobile.model, mobile.freezeBefore);
    const images = tf.randomUniform([16, 64, 64, 3], 0, 1, 'float32', 9);
    // Left and right: the same 8 shapes, the right ones a little noisier.
    const left = tf.tidy(() => prefix.predict(images.slice(0, 8)) as tf.Tensor);
    const right = tf.tidy(() => prefix.predict(tf.add(images.slice(0, 8), tf.randomNormal([8, 64, 64, 3], 0, 0.05, 'float32', 4))) as tf.Tensor);
    const head = buildHead({ inputShape: suffix.outputs[0].shape.slice(1) as number[], pooling: 'avg', embeddingSize: 16, seed: 1 });
    const net = tf.model({ inputs: suffix.inputs, outputs: head.apply(suffix.outputs[0]) as tf.SymbolicTensor });
    const before = suffix.getWeights().map((w) => w.dataSync().slice());
    const result = await trainTriplets({
      model: net, trainPairs: [0, 1, 2, 3, 4, 5, 6, 7], valPairs: [], epochs: 2, batchSize: 8, learningRate: 1e-3, mining: 'hard', seed: 2,
      inputsFor: (pairs, side) => tf.gather(side === 'left' ? left : right, pairs),
    });
    expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
    // The suffix's layers learned (they are the backbone's own, shared with it).
    const changed = suffix.getWeights().some((w, i) => { const v = w.dataSync(); return v.some((x, j) => x !== before[i][j]); });
    expect(changed).toBe(true);
    // The head's weights are the only ones this test made besides the inputs.
    head.weights.forEach((w) => w.dispose());
    tf.dispose([images, left, right]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
