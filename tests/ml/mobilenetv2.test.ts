import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src-main/ml/backend.ts';
import type { Backbone } from '../../src-main/ml/backbones/backbone.ts';
import { loadMobileNetV2, mobileNetV2Available } from '../../src-main/ml/backbones/mobilenetv2.ts';

/** A 224×224 RGB test card in 0–255: vertical stripes of `period` pixels, tinted by `hue`. */
function stripes(period: number, hue: [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const row = tf.range(0, 224).div(period).floor().mod(2).reshape([1, 1, 224, 1]).mul(tf.tensor(hue).reshape([1, 1, 1, 3]));
    return row.add(20).tile([1, 224, 1, 1]) as tf.Tensor4D;
  });
}

function features(backbone: Backbone, rgb255: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => backbone.model.predict(backbone.preprocess(rgb255)) as tf.Tensor2D);
}

let backbone: Backbone;
let loadMs: number;

beforeAll(async () => {
  await initBackend({ force: 'wasm' });
  // Any attempt to reach the network during the load fails the suite.
  vi.stubGlobal('fetch', () => Promise.reject(new Error('loadMobileNetV2 tried to use the network')));
  const started = performance.now();
  backbone = await loadMobileNetV2({ inputSize: 224 });
  loadMs = performance.now() - started;
  vi.unstubAllGlobals();
});

afterAll(() => {
  backbone.model.dispose();
});

describe('MobileNetV2 from nsfwjs', () => {
  it('is available and loads offline from the nsfwjs package in a few seconds', () => {
    expect(mobileNetV2Available()).toBe(true);
    console.info(`loadMobileNetV2: ${loadMs.toFixed(0)} ms on ${tf.getBackend()}`);
    expect(loadMs).toBeLessThan(15_000);
    const nsfwjsDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('nsfwjs')), '../..');
    const { version } = JSON.parse(fs.readFileSync(path.join(nsfwjsDir, 'package.json'), 'utf8')) as { version: string };
    expect(backbone.weightsSource).toBe(`nsfwjs@${version} mobilenet_v2`);
    expect(backbone).toMatchObject({ id: 'mobilenetv2', inputSize: 224 });
  });

  it('is a Keras-named notop extractor whose feature layer is the 1280-d average pool', () => {
    const names = backbone.model.layers.map((layer) => layer.name);
    expect(names).toEqual(expect.arrayContaining(['Conv1', 'bn_Conv1', 'expanded_conv_depthwise', 'block_1_expand', 'block_16_project_BN', 'Conv_1', 'out_relu']));
    // nsfwjs's own classifier head is gone.
    expect(names.filter((name) => /^(dense|dropout|flatten|average_pooling)/.test(name))).toEqual([]);
    expect(names.at(-1)).toBe(backbone.featureLayer);
    expect(backbone.model.getLayer(backbone.featureLayer).outputShape).toEqual([null, 1280]);
    // nsfwjs trained with the first 98 layers frozen; the backbone arrives with everything free to learn.
    expect(backbone.model.layers.filter((layer) => layer.weights.length > 0 && !layer.trainable)).toEqual([]);
  });

  it('puts the freeze point so that only the last three inverted residual blocks and the head can learn', () => {
    const names = backbone.model.layers.map((layer) => layer.name);
    const freezeAt = names.indexOf(backbone.freezeBefore);
    expect(freezeAt).toBeGreaterThan(0);
    const blockOf = (name: string) => Number(/^block_(\d+)_/.exec(name)?.[1] ?? NaN);
    const frozen = names.slice(0, freezeAt);
    const learning = names.slice(freezeAt);
    expect(frozen.filter((name) => blockOf(name) >= 14)).toEqual([]);
    expect(learning.filter((name) => blockOf(name) < 14)).toEqual([]);
    expect(learning).toEqual(expect.arrayContaining(['block_14_depthwise', 'block_16_project', 'Conv_1']));
  });

  it('preprocesses 0–255 the way nsfwjs does, to 0–1', () => {
    const scaled = tf.tidy(() => backbone.preprocess(tf.tensor4d([0, 127.5, 255], [1, 1, 1, 3])).dataSync());
    expect(Array.from(scaled)).toEqual([0, 0.5, 1]);
  });

  it('gives [n, 1280] features: equal for equal images, different for different ones, without leaking', async () => {
    const a = stripes(8, [200, 30, 30]);
    const b = stripes(29, [20, 60, 220]);
    const batch = tf.concat([a, b]) as tf.Tensor4D;
    const again = tf.concat([b, b]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const f = features(backbone, batch);
    const g = features(backbone, again);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(f.shape).toEqual([2, 1280]);
    const [fa, fb] = (await f.array()) as number[][];
    const [gb1, gb2] = (await g.array()) as number[][];
    expect(gb1).toEqual(gb2);
    expect(gb1).toEqual(fb);
    const cosine = fa.reduce((s, v, i) => s + v * fb[i], 0) /
      Math.sqrt(fa.reduce((s, v) => s + v * v, 0) * fb.reduce((s, v) => s + v * v, 0));
    expect(cosine).toBeLessThan(0.95);
    expect(fa.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    tf.dispose([a, b, batch, again, f, g]);
  });

  it('computes exactly what nsfwjs computes at its own pooled layer', async () => {
    const nsfwjs = await import('nsfwjs');
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const reference = await nsfwjs.load('MobileNetV2', { size: 224 });
    vi.restoreAllMocks();
    const image = stripes(11, [90, 200, 40]);
    const ours = features(backbone, image);
    const theirs = reference.infer(tf.squeeze(image, [0]) as tf.Tensor3D, 'flatten_1');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([image, ours, theirs]);
    // nsfwjs's own dispose() throws once an endpoint model shares the layers, so free its parts directly.
    reference.model.dispose();
    (reference as unknown as { normalizationOffset: tf.Tensor }).normalizationOffset.dispose();
  });

  it('accepts other input sizes, still pooling to 1280 features', async () => {
    const small = await loadMobileNetV2({ inputSize: 160 });
    const f = tf.tidy(() => small.model.predict(small.preprocess(tf.fill([1, 160, 160, 3], 128) as tf.Tensor4D)) as tf.Tensor);
    expect(f.shape).toEqual([1, 1280]);
    f.dispose();
    small.model.dispose();
    await expect(loadMobileNetV2({ inputSize: 16 })).rejects.toThrow(RangeError);
  });

  it('leaves no tensor behind once its model is disposed', async () => {
    const before = tf.memory().numTensors;
    const extra = await loadMobileNetV2();
    expect(tf.memory().numTensors).toBeGreaterThan(before + 200);
    const blank = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D;
    features(extra, blank).dispose();
    blank.dispose();
    extra.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
