import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backboneEntries, backboneEntry, backboneIds, preprocessFor, registerBackbone } from '../../src-main/ml/backbones/registry.ts';
import { buildResNet50 } from '../../src-main/ml/backbones/resnet50.ts';
import { readImageBatch } from '../../src-main/ml/image-tensor.ts';
import { loadBackbone } from '../../src-main/model-store/load-backbone.ts';
import { resolveTrainConfig } from '../../src-main/model-store/train-config.ts';
import { applyPreprocessing, preprocessingSpec, type PreprocessingSpec } from '../../src-main/export/preprocessing-spec.ts';
import { BACKBONE_IDS } from '../../src-shared/train-options.ts';
import { noisyJpeg, tempDir } from '../helpers/fixtures.ts';
import { TINYNET } from './fixtures/tiny-backbone.ts';

let tmp: ReturnType<typeof tempDir>;
let image: string;
beforeAll(async () => {
  tmp = tempDir();
  image = path.join(tmp.dir, 'photo.jpg');
  fs.writeFileSync(image, await noisyJpeg(90, 60, 3));
});
afterAll(() => tmp.cleanup());

/** What a user of the export computes: preprocessing.json as written to disk, read back, applied to the image. */
async function exportPath(id: string, size: number, rgb: tf.Tensor4D): Promise<Float32Array> {
  const spec = JSON.parse(JSON.stringify(preprocessingSpec(id as never, size, 8))) as PreprocessingSpec;
  expect(spec.inputShape).toEqual([null, size, size, 3]);
  return tf.tidy(() => applyPreprocessing(rgb, spec).dataSync() as Float32Array);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  return worst;
}

describe('the backbone registry', () => {
  it('holds exactly the shared id list, each entry consistent with itself', () => {
    expect(backboneIds()).toEqual([...BACKBONE_IDS]);
    for (const entry of backboneEntries()) {
      expect(resolveTrainConfig({}, { device: 'cpu' }, entry.id).inputSize).toBe(entry.inputSize);
      expect(entry.inputSize).toBeGreaterThanOrEqual(entry.minInputSize);
      expect(entry.help.startsWith(`${entry.id}:`)).toBe(true);
    }
    // Today's input sizes, unchanged.
    expect(backboneEntry('resnet50').inputSize).toBe(200);
    expect(backboneEntry('mobilenetv2').inputSize).toBe(224);
    expect(() => backboneEntry('vgg16')).toThrow(/--backbone must be one of resnet50, mobilenetv2, not "vgg16"/);
  });

  it.each(backboneEntries().map((e) => [e.id]))('%s: the export\'s preprocessing spec gives the training/query tensor, within 1e-6', async (id) => {
    const size = 32;
    const rgb = await readImageBatch([image], size);
    const training = tf.tidy(() => preprocessFor(id)(rgb).dataSync() as Float32Array);
    expect(maxDifference(training, await exportPath(id, size, rgb))).toBeLessThanOrEqual(1e-6);
    // The spec really says something: the raw pixels are not already the network's input.
    expect(maxDifference(training, rgb.dataSync() as Float32Array)).toBeGreaterThan(1);
    rgb.dispose();
  });

  it('the backbones as loaded for training and queries preprocess exactly as the export documents', async () => {
    const rgb = await readImageBatch([image], 32);
    const mobile = await loadBackbone('mobilenetv2', 32, {}, () => {});
    // ResNet50's ImageNet weights are not on a test machine; its builder's own preprocess is what a run uses.
    const resnet = await buildResNet50({ weights: 'random', inputSize: 32 });
    for (const backbone of [mobile, resnet]) {
      const got = tf.tidy(() => backbone.preprocess(rgb).dataSync() as Float32Array);
      expect(maxDifference(got, await exportPath(backbone.id, 32, rgb)), backbone.id).toBeLessThanOrEqual(1e-6);
      // The entry's feature recipe and freeze point are the model's.
      const entry = backboneEntry(backbone.id);
      expect(backbone.featureLayer).toBe(entry.features.layer);
      expect(backbone.freezeBefore).toBe(entry.freezeBefore);
      expect(backbone.model.outputs[0].shape.length, backbone.id).toBe(entry.features.shape === 'map' ? 4 : 2);
      expect(backbone.model.getLayer(entry.freezeBefore)).toBeDefined();
      backbone.model.dispose();
    }
    rgb.dispose();
  });

  it('takes a new backbone from one file: config, preprocessing and export spec follow from its entry', async () => {
    const unregister = registerBackbone(TINYNET);
    try {
      expect(backboneIds()).toContain('tinynet');
      expect(() => registerBackbone(TINYNET)).toThrow(/already registered/);
      const config = resolveTrainConfig({ backbone: TINYNET.id }, { device: 'cpu' }, TINYNET.id);
      expect(config).toMatchObject({ backbone: 'tinynet', inputSize: 32, distance: 'cosine', mining: 'hard', epochs: 30 });
      expect(() => resolveTrainConfig({ inputSize: 4 }, { device: 'cpu' }, TINYNET.id)).toThrow(/--input-size/);
      const spec = preprocessingSpec(TINYNET.id, 32, 16);
      expect(spec.normalisation).toEqual(TINYNET.normalisation);
      const backbone = await loadBackbone(TINYNET.id, undefined, {}, () => {});
      expect(backbone.model.outputs[0].shape).toEqual([null, 16]);
      const rgb = await readImageBatch([image], 32);
      const got = tf.tidy(() => backbone.preprocess(rgb).dataSync() as Float32Array);
      expect(maxDifference(got, await exportPath(TINYNET.id, 32, rgb))).toBeLessThanOrEqual(1e-6);
      expect(Math.min(...got)).toBeGreaterThanOrEqual(-1);
      rgb.dispose();
      backbone.model.dispose();
    } finally {
      unregister();
    }
    expect(backboneIds()).not.toContain('tinynet');
    expect(() => resolveTrainConfig({}, { device: 'cpu' }, TINYNET.id)).toThrow(/--backbone must be one of/);
  });
});
