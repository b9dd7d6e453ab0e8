import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHead, buildSiamese } from '../../src-main/ml/head.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rowNorms(t: tf.Tensor): number[] {
  return tf.tidy(() => Array.from(tf.norm(t, 'euclidean', -1).dataSync()));
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('buildHead', () => {
  it.each([
    ['flatten', [4, 4, 3], 'head_flatten', 4 * 4 * 3 * 512 + 512],
    ['avg', [4, 4, 3], 'head_avg_pool', 3 * 512 + 512],
    ['avg', [40], undefined, 40 * 512 + 512],
    ['flatten', [40], undefined, 40 * 512 + 512],
  ] as const)('%s on %j embeds to unit vectors', (pooling, inputShape, poolLayer, firstDenseParams) => {
    const head = buildHead({ inputShape: [...inputShape], pooling, embeddingSize: 32, seed: 1 });
    const x = tf.randomNormal([5, ...inputShape], 0, 1, 'float32', 2);
    const y = head.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([5, 32]);
    rowNorms(y).forEach((n) => expect(n).toBeCloseTo(1, 5));
    expect(head.getLayer('head_dense_512').countParams()).toBe(firstDenseParams);
    const names = head.layers.map((l) => l.name);
    expect(names).toEqual([
      'head_input', ...(poolLayer ? [poolLayer] : []), 'head_dense_512', 'head_bn_1', 'head_dense_256', 'head_bn_2',
      'head_embedding', 'head_l2_normalize',
    ]);
    tf.dispose([x, y]);
    head.dispose();
  });

  it('builds identical heads from the same seed and different ones from another', () => {
    const weights = (seed: number) => {
      const head = buildHead({ inputShape: [8], pooling: 'avg', seed });
      const values = head.getWeights().map((w) => Array.from(w.dataSync()));
      head.dispose();
      return values.flat();
    };
    expect(weights(5)).toEqual(weights(5));
    expect(weights(5)).not.toEqual(weights(6));
  });

  it('survives a save → load round trip with the same embeddings', async () => {
    const head = buildHead({ inputShape: [2, 2, 6], pooling: 'flatten', embeddingSize: 16, seed: 3 });
    let saved: tf.io.ModelArtifacts | undefined;
    await head.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([3, 2, 2, 6], 0, 1, 'float32', 4);
    const before = head.predict(x) as tf.Tensor;
    const after = loaded.predict(x) as tf.Tensor;
    expect(loaded.getLayer('head_l2_normalize').getClassName()).toBe('L2Normalize');
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-6);
    tf.dispose([x, before, after]);
    head.dispose();
    loaded.dispose();
  });

  it('rejects feature shapes it cannot pool', () => {
    expect(() => buildHead({ inputShape: [4, 8], pooling: 'avg' })).toThrow(/feature map/);
  });

  it('leaks no tensors when embedding', () => {
    const head = buildHead({ inputShape: [8], pooling: 'avg', seed: 1 });
    const x = tf.ones([2, 8]);
    const before = tf.memory().numTensors;
    (head.apply(x, { training: true }) as tf.Tensor).dispose();
    (head.predict(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    head.dispose();
  });
});

describe('buildSiamese', () => {
  /** A toy image backbone with a batch-norm layer, like ResNet's blocks. */
  function toyBackbone(): tf.LayersModel {
    const input = tf.input({ shape: [6, 6, 3], name: 'image' });
    let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: 'conv1_bn' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: x, name: 'toy_backbone' });
  }

  it('maps images to the head’s embedding, sharing the backbone’s and head’s weights', () => {
    const backbone = toyBackbone();
    const head = buildHead({ inputShape: [4, 4, 4], pooling: 'avg', embeddingSize: 8, seed: 1 });
    const siamese = buildSiamese({ backbone, head });
    const images = tf.randomUniform([3, 6, 6, 3], 0, 1, 'float32', 9);
    const direct = siamese.predict(images) as tf.Tensor;
    const staged = tf.tidy(() => head.predict(backbone.predict(images) as tf.Tensor) as tf.Tensor);
    expect(direct.shape).toEqual([3, 8]);
    expect(maxAbsDiff(direct, staged)).toBeLessThan(1e-6);
    expect(siamese.trainableWeights.length).toBe(backbone.trainableWeights.length + head.trainableWeights.length);
    tf.dispose([images, direct, staged]);
    siamese.dispose();
  });

  it('keeps frozen batch-norm layers in inference mode during a training step, trainable ones not', () => {
    const backbone = toyBackbone();
    const head = buildHead({ inputShape: [4, 4, 4], pooling: 'avg', embeddingSize: 8, seed: 1 });
    const siamese = buildSiamese({ backbone, head });
    const bn = backbone.getLayer('conv1_bn');
    const movingMean = () => Array.from(bn.getWeights()[2].dataSync());
    const images = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 9);

    bn.trainable = false;
    const meanBefore = movingMean();
    const frozenTrainingOut = tf.tidy(() => siamese.apply(images, { training: true }) as tf.Tensor);
    const inference = siamese.predict(images) as tf.Tensor;
    expect(movingMean()).toEqual(meanBefore);
    // The head's own batch norms do use batch statistics in training mode, so compare the backbone output.
    const backboneTrain = tf.tidy(() => backbone.apply(images, { training: true }) as tf.Tensor);
    const backboneInfer = backbone.predict(images) as tf.Tensor;
    expect(maxAbsDiff(backboneTrain, backboneInfer)).toBeLessThan(1e-6);

    bn.trainable = true;
    (siamese.apply(images, { training: true }) as tf.Tensor).dispose();
    expect(movingMean()).not.toEqual(meanBefore);
    tf.dispose([images, frozenTrainingOut, inference, backboneTrain, backboneInfer]);
    siamese.dispose();
  });

  it('refuses a head whose input does not fit the backbone features', () => {
    const backbone = toyBackbone();
    const head = buildHead({ inputShape: [5, 5, 4], pooling: 'avg', seed: 1 });
    expect(() => buildSiamese({ backbone, head })).toThrow(/do not fit/);
    backbone.dispose();
    head.dispose();
  });
});
