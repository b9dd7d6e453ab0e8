import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/ml/backend.ts';
import { layersModelToOnnx } from '../../src-main/ml/onnx/layers-to-onnx.ts';
import { encodeOnnxModel } from '../../src-main/ml/onnx/onnx-proto.ts';
import { seededRandom } from '../../src-main/ml/metrics/verification-metrics.ts';

/** Every layer kind MobileNetV2 uses, with odd sizes and a stride-2 'same' conv (TensorFlow pads at the end). */
function tinyMobileNet(): tf.LayersModel {
  const input = tf.input({ shape: [17, 15, 3] });
  let x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1e-3, name: 'bn_Conv1' }).apply(x) as tf.SymbolicTensor;
  const skip = tf.layers.reLU({ maxValue: 6, name: 'Conv1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false, name: 'dw' }).apply(skip) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'dw_BN' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'dw_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 1, padding: 'same', name: 'project' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.add({ name: 'add' }).apply([skip, x]) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'down' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'plain_relu' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  // Non-trivial batch-norm statistics, so a wrong gamma/beta/mean/variance order would show.
  const random = seededRandom(3);
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(Float32Array.from({ length: w.size }, () => (i === 3 ? 0.5 + random() : random() * 2 - 1)), w.shape)));
  }
  return model;
}

describe('layersModelToOnnx', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('gives onnxruntime the same features as tfjs, within 1e-4', async () => {
    const model = tinyMobileNet();
    const session = await ort.InferenceSession.create(encodeOnnxModel(layersModelToOnnx(model)), { intraOpNumThreads: 1 });
    const random = seededRandom(8);
    const x = Float32Array.from({ length: 3 * 17 * 15 * 3 }, () => random());
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(x, [3, 17, 15, 3])) as tf.Tensor).dataSync() as Float32Array);
    const out = await session.run({ input: new ort.Tensor('float32', x, [3, 17, 15, 3]) });
    const got = out[session.outputNames[0]];
    expect(got.dims).toEqual([3, 12]);
    const diff = Math.max(...Array.from(got.data as Float32Array, (v, i) => Math.abs(v - expected[i])));
    expect(diff).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.01); // not a trivially zero output
    await session.release();
    model.dispose();
  });

  it('converts the layers ResNet50 adds (biased convs, Activation relu, MaxPooling2D) at odd sizes, maps kept channels-last', async () => {
    const input = tf.input({ shape: [13, 11, 3] });
    let x = tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'pad' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 6, kernelSize: 7, strides: 2, useBias: true, biasInitializer: 'randomNormal', name: 'conv' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: 'relu', name: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool_same' }).apply(x) as tf.SymbolicTensor;
    const shortcut = tf.layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, biasInitializer: 'randomNormal', name: 'short' }).apply(x) as tf.SymbolicTensor;
    let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal', name: 'fused' }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'pool_keep' }).apply(y) as tf.SymbolicTensor;
    const out = tf.layers.add({ name: 'sum' }).apply([shortcut, y]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const session = await ort.InferenceSession.create(encodeOnnxModel(layersModelToOnnx(model)), { intraOpNumThreads: 1 });
    const random = seededRandom(11);
    const xs = Float32Array.from({ length: 2 * 13 * 11 * 3 }, () => random() * 2 - 1);
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(xs, [2, 13, 11, 3])) as tf.Tensor).dataSync() as Float32Array);
    const result = await session.run({ input: new ort.Tensor('float32', xs, [2, 13, 11, 3]) });
    const got = result[session.outputNames[0]];
    expect(got.dims).toEqual([2, ...(model.outputs[0].shape.slice(1) as number[])]);
    const diff = Math.max(...Array.from(got.data as Float32Array, (v, i) => Math.abs(v - expected[i])));
    expect(diff).toBeLessThan(1e-4);
    await session.release();
    model.dispose();
  });

  it('refuses a layer it cannot convert, naming it', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const out = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(() => layersModelToOnnx(model)).toThrow(/layer up: UpSampling2D has no ONNX conversion/);
    model.dispose();
  });
});
