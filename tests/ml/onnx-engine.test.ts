import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/ml/backend.ts';
import { buildResNet50 } from '../../src-main/ml/backbones/resnet50.ts';
import { recipeIds } from '../../src-main/ml/backbones/registry.ts';
import { embedRuntime, frozenForward, type ForwardEngine, type OrtRuntime } from '../../src-main/ml/onnx/onnx-engine.ts';
import { loadBackbone, partialBackbone } from '../../src-main/model-store/load-backbone.ts';

/** Small inputs keep every forward pass a few milliseconds; the layers and their numerics are the full models'. */
const SIZE = 64;

/** The engine's outputs and tfjs's for the same input, with the largest difference between them. */
async function compare(engine: ForwardEngine, model: tf.LayersModel, x: tf.Tensor4D) {
  const got = await engine.forward(x);
  const want = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  let maxDiff = 0;
  let maxAbs = 0;
  want.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - got[i]));
    maxAbs = Math.max(maxAbs, Math.abs(v));
  });
  return { got, want, maxDiff, maxAbs };
}

const images = (seed: number, lo = 0, hi = 1) => tf.randomUniform([3, SIZE, SIZE, 3], lo, hi, 'float32', seed) as tf.Tensor4D;

beforeAll(async () => {
  await initBackend();
});

describe('onnxruntime-node as the engine of frozen backbones', () => {
  it('is what embeds on this machine (onnxruntime-node is installed here and in CI)', async () => {
    expect(await embedRuntime()).toMatchObject({ name: 'onnxruntime-node' });
  });

  it('gives MobileNetV2 final features equal to tfjs within 1e-4, from one session per loaded model', async () => {
    const backbone = await loadBackbone('mobilenetv2', SIZE, {}, () => {});
    const engine = await frozenForward(backbone.model);
    expect(engine.name).toBe('onnxruntime-node');
    expect(engine.fellBack).toBeUndefined();
    expect(await frozenForward(backbone.model)).toBe(engine);
    const x = images(1);
    const { got, maxDiff, maxAbs } = await compare(engine, backbone.model, x);
    expect(got).toHaveLength(3 * 1280);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    expect(maxAbs).toBeGreaterThan(0.1); // real activations, not a trivially zero output
    x.dispose();
    backbone.model.dispose();
  });

  it.each(recipeIds('mobilenetv2').filter((r) => r !== 'final'))('gives the %s recipe (RecipePool) the same features within 1e-4', async (recipe) => {
    const backbone = await loadBackbone('mobilenetv2', SIZE, {}, () => {}, recipe);
    const engine = await frozenForward(backbone.model);
    expect(engine.name, engine.fellBack).toBe('onnxruntime-node');
    // Through the recipe's own colour handling, as the feature cache feeds it.
    const raw = images(2, 0, 255);
    const x = backbone.preprocess(raw);
    const { got, maxDiff } = await compare(engine, backbone.model, x);
    const dim = backbone.model.outputs[0].shape[1] as number;
    expect(got).toHaveLength(3 * dim);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    // Each row is L2-normalised, as RecipePool's output is.
    for (let r = 0; r < 3; r++) expect(Math.hypot(...got.subarray(r * dim, (r + 1) * dim))).toBeCloseTo(1, 5);
    tf.dispose([raw, x]);
    backbone.model.dispose();
  });

  it("gives partial mode's prefix the same activation map, channels-last, within 1e-4", async () => {
    const backbone = await loadBackbone('mobilenetv2', SIZE, {}, () => {});
    const { prefix } = partialBackbone(backbone);
    const engine = await frozenForward(prefix.model);
    expect(engine.name, engine.fellBack).toBe('onnxruntime-node');
    expect(prefix.model.outputs[0].shape).toEqual([null, 2, 2, 160]);
    const x = images(3);
    const { got, maxDiff, maxAbs } = await compare(engine, prefix.model, x);
    expect(got).toHaveLength(3 * 2 * 2 * 160);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    expect(maxAbs).toBeGreaterThan(0.1);
    x.dispose();
    backbone.model.dispose();
  });

  it('gives a random-weights ResNet50 and its partial prefix the same maps within 1e-4', async () => {
    const backbone = await buildResNet50({ weights: 'random', inputSize: SIZE, seed: 4 });
    // Caffe-mode inputs: BGR minus the ImageNet means.
    const x = images(4, -124, 152);
    for (const model of [backbone.model, partialBackbone(backbone).prefix.model]) {
      const engine = await frozenForward(model);
      expect(engine.name, engine.fellBack).toBe('onnxruntime-node');
      const { got, maxDiff, maxAbs } = await compare(engine, model, x);
      const shape = model.outputs[0].shape.slice(1) as number[];
      expect(got).toHaveLength(3 * shape.reduce((a, b) => a * b, 1));
      expect(maxDiff, model.name).toBeLessThanOrEqual(1e-4);
      expect(maxAbs).toBeGreaterThan(0.01);
    }
    x.dispose();
    backbone.model.dispose();
  });
});

describe('falling back to tfjs', () => {
  const tinyModel = (withDense: boolean) => {
    const input = tf.input({ shape: [8, 8, 3] });
    let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv' }).apply(input) as tf.SymbolicTensor;
    y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y) as tf.SymbolicTensor;
    if (withDense) y = tf.layers.dense({ units: 5, name: 'classifier' }).apply(y) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: y, name: 'tiny' });
  };

  it('runs on tfjs, with the same numbers, when onnxruntime-node cannot be loaded', async () => {
    const model = tinyModel(false);
    const missing = async () => { throw Object.assign(new Error("Cannot find package 'onnxruntime-node'"), { code: 'ERR_MODULE_NOT_FOUND' }); };
    expect(await embedRuntime({ loader: missing })).toEqual({ name: 'tfjs', reason: 'onnxruntime-node not installed' });
    const engine = await frozenForward(model, { loader: missing });
    expect(engine.name).toBe('tfjs');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const { got, want } = await compare(engine, model, x);
    expect(Array.from(got)).toEqual(Array.from(want));
    x.dispose();
    model.dispose();
  });

  it('runs a model with a layer the converter does not know on tfjs, saying which layer', async () => {
    const model = tinyModel(true);
    const engine = await frozenForward(model);
    expect(engine.name).toBe('tfjs');
    expect(engine.fellBack).toBe('tiny runs on tfjs: layer classifier: Dense has no ONNX conversion');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const { got, want } = await compare(engine, model, x);
    expect(got).toHaveLength(2 * 5);
    expect(Array.from(got)).toEqual(Array.from(want));
    x.dispose();
    model.dispose();
  });

  it('carries on, on tfjs, when a session that loaded fails to run', async () => {
    const model = tinyModel(false);
    let released = 0;
    const brokenRuntime: OrtRuntime = {
      Tensor: class { constructor(readonly type: string, readonly data: Float32Array, readonly dims: readonly number[]) {} },
      InferenceSession: {
        create: async () => ({
          inputNames: ['input'], outputNames: ['out'],
          run: async () => { throw new Error('bad_alloc: out of memory\nat Run'); },
          release: async () => { released++; },
        }),
      },
    };
    const engine = await frozenForward(model, { loader: async () => brokenRuntime });
    expect(engine.name).toBe('onnxruntime-node');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const { got, want } = await compare(engine, model, x);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(engine.fellBack).toBe('tiny runs on tfjs: onnxruntime failed: bad_alloc: out of memory');
    expect(released).toBe(1);
    // Later batches go straight to tfjs.
    expect(Array.from(await engine.forward(x))).toEqual(Array.from(want));
    expect(released).toBe(1);
    x.dispose();
    model.dispose();
  });

  it('keeps every model on tfjs when LOOKALIKE_EMBED_ENGINE=tfjs asks for it', async () => {
    const model = tinyModel(false);
    expect((await frozenForward(model, { force: 'tfjs' })).name).toBe('tfjs');
    expect((await frozenForward(model, { force: 'auto' })).name).toBe('onnxruntime-node');
    model.dispose();
  });
});
