import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildResNet50 } from '../../src-main/ml/backbones/resnet50.ts';
import { knownWeightValues, weightKey, writeKerasH5 } from '../helpers/make-keras-h5.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lookalike-resnet50-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('buildResNet50', () => {
  it("has Keras's ResNet50 notop layers, names, shapes and parameter count", async () => {
    // Only shapes are inspected, so the 224×224 model of Keras's summary costs no forward pass.
    const { model, featureLayer, freezeBefore, inputSize } = await buildResNet50({ weights: 'random', inputSize: 224 });
    const names = model.layers.map((layer) => layer.name);
    expect(names.slice(0, 10)).toEqual([
      'input_1', 'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool',
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu',
    ]);
    expect(names).toEqual(expect.arrayContaining([
      'conv2_block1_0_conv', 'conv2_block1_0_bn', 'conv2_block1_add', 'conv2_block1_out', 'conv3_block4_out',
      'conv4_block1_out', 'conv4_block6_3_bn', 'conv5_block1_0_conv', 'conv5_block3_3_conv', 'conv5_block3_out',
    ]));
    expect(names).toHaveLength(175);
    expect(names.at(-1)).toBe('conv5_block3_out');
    // Identity blocks have no projection shortcut.
    expect(names).not.toContain('conv2_block2_0_conv');

    expect(inputSize).toBe(224);
    expect(model.getLayer(featureLayer).outputShape).toEqual([null, 7, 7, 2048]);
    expect(model.getLayer('conv2_block3_out').outputShape).toEqual([null, 56, 56, 256]);
    expect(model.getLayer('conv3_block4_out').outputShape).toEqual([null, 28, 28, 512]);
    expect(model.getLayer(freezeBefore).outputShape).toEqual([null, 14, 14, 1024]);
    expect(names.indexOf(freezeBefore)).toBeLessThan(names.indexOf(featureLayer));

    // Keras's summary: 23,587,712 params, of which 53,120 (the BN moving statistics) are not trainable.
    expect(model.countParams()).toBe(23_587_712);
    const nonTrainable = model.nonTrainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    expect(nonTrainable).toBe(53_120);
    // ResNet v1 as Keras builds it: the stride sits on the first 1×1 conv of a block, not on the 3×3 one.
    expect(model.getLayer('conv3_block1_1_conv').getConfig().strides).toEqual([2, 2]);
    expect(model.getLayer('conv3_block1_2_conv').getConfig().strides).toEqual([1, 1]);
    expect(model.getLayer('conv2_block1_1_conv').getConfig().strides).toEqual([1, 1]);
    const epsilons = model.layers.filter((l) => l.name.endsWith('_bn')).map((l) => l.getConfig().epsilon);
    expect(new Set(epsilons)).toEqual(new Set([1.001e-5]));
    model.dispose();
  });

  it('preprocesses 0–255 RGB the way Keras caffe mode does: BGR minus the ImageNet means', async () => {
    const { preprocess, model } = await buildResNet50({ weights: 'random', inputSize: 32 });
    model.dispose();
    const pixel = tf.tensor4d([255, 128, 0, 10, 20, 30], [1, 1, 2, 3]);
    const out = preprocess(pixel);
    expect(out.shape).toEqual([1, 1, 2, 3]);
    const values = Array.from(out.dataSync());
    const expected = [0 - 103.939, 128 - 116.779, 255 - 123.68, 30 - 103.939, 20 - 116.779, 10 - 123.68];
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    tf.dispose([pixel, out]);
  });

  it('gives the same random weights for the same seed and different ones for another', async () => {
    const kernel = async (seed: number) => {
      const { model } = await buildResNet50({ weights: 'random', inputSize: 32, seed });
      const values = Array.from(model.getLayer('conv1_conv').getWeights()[0].dataSync().slice(0, 50));
      model.dispose();
      return values;
    };
    const first = await kernel(7);
    expect(await kernel(7)).toEqual(first);
    expect(await kernel(8)).not.toEqual(first);
  });

  it('leaks no tensors across build → preprocess → predict → dispose', async () => {
    const before = tf.memory().numTensors;
    const backbone = await buildResNet50({ weights: 'random', inputSize: 32, seed: 1 });
    const features = tf.tidy(() => {
      const rgb = tf.fill([2, 32, 32, 3], 128) as tf.Tensor4D;
      return backbone.model.predict(backbone.preprocess(rgb)) as tf.Tensor;
    });
    expect(features.shape).toEqual([2, 1, 1, 2048]);
    features.dispose();
    backbone.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads every layer of a Keras notop HDF5 file into the full network', async () => {
    const path = join(dir, 'resnet50_notop.h5');
    const source = await buildResNet50({ weights: 'random', inputSize: 32, seed: 3 });
    await writeKerasH5(source.model, path);
    source.model.dispose();

    const backbone = await buildResNet50({ weights: 'imagenet-h5', h5Path: path, inputSize: 32 });
    expect(backbone.weightsSource).toBe(path);
    // 53 convolutions and 53 batch norms.
    expect(backbone.loadedWeightLayers).toHaveLength(106);
    for (const layer of backbone.model.layers) {
      for (const weight of layer.weights) {
        const key = weightKey(layer.name, weight);
        const actual = weight.read().dataSync() as Float32Array;
        const expected = knownWeightValues(key, actual.length);
        expect(actual.every((v, i) => v === expected[i]), key).toBe(true);
      }
    }
    backbone.model.dispose();
  }, 60_000);

  it('asks for the weights file when none is given and Keras has none cached', async () => {
    vi.stubEnv('KERAS_HOME', join(dir, 'empty-keras-home'));
    const before = tf.memory().numTensors;
    await expect(buildResNet50({ weights: 'imagenet-h5', inputSize: 32 })).rejects.toMatchObject({
      code: 'WEIGHTS_MISSING',
      message: expect.stringContaining('resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'),
    });
    // The half-built network is not left behind.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects inputs smaller than Keras allows', async () => {
    await expect(buildResNet50({ weights: 'random', inputSize: 16 })).rejects.toThrow(/≥ 32/);
  });
});
