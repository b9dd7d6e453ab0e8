import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasH5Weights } from '../../src-main/ml/backbones/keras-h5-weights.ts';
import { knownWeightValues, weightKey, writeKerasH5 } from '../helpers/make-keras-h5.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lookalike-h5-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A few layers with ResNet50's names and kinds (conv with bias, batch norm); `withTop` adds a classifier. */
function smallKerasModel(withTop = false): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv1_conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ epsilon: 1.001e-5, name: 'conv1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, name: 'conv2_conv' }).apply(x) as tf.SymbolicTensor;
  if (withTop) {
    x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 3, name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x });
}

function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((weight) => weight.read().dataSync() as Float32Array);
}

function expectKnownValues(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      const actual = weight.read().dataSync();
      const key = weightKey(layer.name, weight);
      expect(Array.from(actual), key).toEqual(Array.from(knownWeightValues(key, actual.length)));
    }
  }
}

async function expectLoadError(path: string, message: RegExp): Promise<void> {
  const model = smallKerasModel();
  const before = weightValues(model);
  await expect(loadKerasH5Weights(model, path)).rejects.toMatchObject({ code: 'WEIGHTS_INVALID', message });
  // Nothing may be half-loaded: every weight keeps its value.
  expect(weightValues(model)).toEqual(before);
  model.dispose();
}

describe('loadKerasH5Weights', () => {
  it('puts every weight of a Keras-layout file into the layer of the same name', async () => {
    const path = join(dir, 'round-trip.h5');
    const source = smallKerasModel();
    await writeKerasH5(source, path);
    source.dispose();

    const model = smallKerasModel();
    const report = await loadKerasH5Weights(model, path);
    expect(report).toEqual({ loadedLayers: ['conv1_conv', 'conv1_bn', 'conv2_conv'], unusedFileLayers: [] });
    expectKnownValues(model);
    model.dispose();
  });

  it('matches weights by name, not by their position in the file', async () => {
    const path = join(dir, 'reversed.h5');
    const source = smallKerasModel();
    await writeKerasH5(source, path, { reverseWeightOrder: true });
    source.dispose();

    const model = smallKerasModel();
    await loadKerasH5Weights(model, path);
    expectKnownValues(model);
    model.dispose();
  });

  it('reads the model_weights group of a full-model file and reports file layers the model lacks', async () => {
    const path = join(dir, 'with-top.h5');
    const source = smallKerasModel(true);
    await writeKerasH5(source, path, { asFullModel: true });
    source.dispose();

    const model = smallKerasModel();
    const report = await loadKerasH5Weights(model, path);
    expect(report.unusedFileLayers).toEqual(['predictions']);
    expectKnownValues(model);
    model.dispose();
  });

  it('refuses a file whose weight has another shape, naming the layer and both shapes', async () => {
    const path = join(dir, 'bad-shape.h5');
    const source = smallKerasModel();
    await writeKerasH5(source, path, { corruptShapeOf: 'conv2_conv/kernel' });
    source.dispose();
    await expectLoadError(path, /conv2_conv.*kernel.*\[1,1,4,6\].*\[1,1,4,5\]/);
  });

  it('refuses a file that lacks one of the model layers, naming it', async () => {
    const path = join(dir, 'missing-layer.h5');
    const source = smallKerasModel();
    await writeKerasH5(source, path, { omitLayers: ['conv1_bn'] });
    source.dispose();
    await expectLoadError(path, /Layer conv1_bn has no weights/);
  });

  it('explains that a Keras 3 .weights.h5 file is not supported', async () => {
    const path = join(dir, 'keras3.weights.h5');
    await h5wasm.ready;
    const file = new h5wasm.File(path, 'w');
    file.create_group('layers').create_group('conv2d').create_group('vars');
    file.close();
    await expectLoadError(path, /Keras 3/);
  });

  it('tells a missing file from a file that is not HDF5', async () => {
    const model = smallKerasModel();
    const missing = join(dir, 'nowhere.h5');
    await expect(loadKerasH5Weights(model, missing)).rejects.toMatchObject({
      code: 'WEIGHTS_MISSING', message: expect.stringContaining(missing),
    });
    const text = join(dir, 'not-hdf5.h5');
    await writeFile(text, '<html>404 Not Found</html>');
    await expect(loadKerasH5Weights(model, text)).rejects.toMatchObject({
      code: 'WEIGHTS_INVALID', message: expect.stringContaining('not an HDF5 file'),
    });
    model.dispose();
  });
});
