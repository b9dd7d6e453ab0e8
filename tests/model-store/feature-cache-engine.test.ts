import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { initBackend } from '../../src-main/ml/backend.ts';
import type { Backbone } from '../../src-main/ml/backbones/backbone.ts';
import { backboneOutputs, cachedFeatures, extractorKey, type ImageRef } from '../../src-main/model-store/feature-cache.ts';
import { loadBackbone, partialBackbone } from '../../src-main/model-store/load-backbone.ts';
import type { OrtLoader, OrtRuntime } from '../../src-main/ml/onnx/onnx-engine.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let images: ImageRef[];
let backbone: Backbone;
const catalogs: Db[] = [];
const newCatalog = () => {
  const db = openCatalog(path.join(tmp.dir, `catalog-${catalogs.length}.sqlite`));
  catalogs.push(db);
  return db;
};
const rows = (db: Db) => db.prepare('SELECT extractor, shape, COUNT(*) AS n FROM feature_cache GROUP BY extractor, shape').all();
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const tfjsOnly = { force: 'tfjs' };

beforeAll(async () => {
  await initBackend();
  tmp = tempDir();
  const root = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 6);
  const files = ['left', 'right'].flatMap((side) => fs.readdirSync(path.join(root, side)).sort().map((f) => path.join(root, side, f)));
  images = files.map((p) => ({ path: p, sha256: createHash('sha256').update(fs.readFileSync(p)).digest('hex') }));
  backbone = await loadBackbone('mobilenetv2', 64, {}, () => {});
});
afterAll(() => {
  catalogs.forEach((db) => db.close());
  backbone.model.dispose();
  tmp.cleanup();
});

describe('the feature cache, whichever engine fills it', () => {
  it('stores the same features under the same key with onnxruntime-node as with tfjs', async () => {
    const byTfjs = newCatalog();
    const byOnnx = newCatalog();
    // A batch size that does not divide the 12 images: the last, short batch goes through the pipeline too.
    const a = await cachedFeatures(byTfjs, backbone, images, { batchSize: 5, engine: tfjsOnly });
    const b = await cachedFeatures(byOnnx, backbone, images, { batchSize: 5 });
    expect(b.shape).toEqual([1280]);
    expect(maxDiff(a.data, b.data)).toBeLessThanOrEqual(1e-4);
    // The key is the extractor's, as before engines existed: a user's cache stays valid.
    const key = extractorKey(backbone);
    expect(key).toMatch(/^mobilenetv2@64:[0-9a-f]{12}$/);
    expect(rows(byTfjs)).toEqual([{ extractor: key, shape: '[1280]', n: images.length }]);
    expect(rows(byOnnx)).toEqual(rows(byTfjs));
  });

  it('builds one onnxruntime session for a whole job, however many batches', async () => {
    let sessions = 0;
    const counting: OrtLoader = async () => {
      const real = (await import('onnxruntime-node')) as unknown as OrtRuntime;
      return { Tensor: real.Tensor, InferenceSession: { create: (bytes, options) => (sessions++, real.InferenceSession.create(bytes, options)) } };
    };
    const table = await cachedFeatures(newCatalog(), backbone, images, { batchSize: 4, engine: { loader: counting } });
    expect(table.data.length).toBe(images.length * 1280);
    expect(sessions).toBe(1);
  });

  it('keeps each image on its own row while the next batch decodes during the forward pass', async () => {
    const table = await cachedFeatures(newCatalog(), backbone, images, { batchSize: 4 });
    // One image at a time, nothing overlapping: the same rows in the same order.
    for (const i of [0, 3, 4, 11]) {
      const alone = await backboneOutputs(backbone, [images[i].path]);
      expect(maxDiff(table.data.subarray(i * 1280, (i + 1) * 1280), alone), `image ${i}`).toBeLessThanOrEqual(1e-5);
    }
    // Distinct logos give distinct features (a mixed-up pipeline handing every row one batch's output would not).
    expect(maxDiff(table.data.subarray(0, 1280), table.data.subarray(1280, 2560))).toBeGreaterThan(1e-3);
  });

  it('reads back features tfjs cached earlier without recomputing them on onnxruntime-node', async () => {
    const db = newCatalog();
    const before = await cachedFeatures(db, backbone, images, { engine: tfjsOnly });
    const progress: [number, number][] = [];
    const after = await cachedFeatures(db, backbone, images, { onProgress: (done, total) => progress.push([done, total]) });
    expect(progress[0]).toEqual([images.length, images.length]); // everything came from the cache
    expect(Array.from(after.data)).toEqual(Array.from(before.data));
    expect(rows(db)).toEqual([{ extractor: extractorKey(backbone), shape: '[1280]', n: images.length }]);
  });

  it("caches partial mode's prefix maps the same way on either engine (float16 rows)", async () => {
    const { prefix } = partialBackbone(backbone);
    const a = await cachedFeatures(newCatalog(), prefix, images.slice(0, 5), { engine: tfjsOnly });
    const b = await cachedFeatures(newCatalog(), prefix, images.slice(0, 5));
    expect(a.shape).toEqual([2, 2, 160]);
    // Both are rounded to float16 as stored; rounding can flip one step where the engines differ by ~1e-6.
    const scale = a.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxDiff(a.data, b.data)).toBeLessThanOrEqual(Math.max(1e-4, scale * 2 ** -10));
  });
});

describe('when onnxruntime-node cannot run a model', () => {
  it('fills the cache on tfjs when onnxruntime-node fails to load', async () => {
    const failing = async () => { throw new Error('libonnxruntime.so.1: cannot open shared object file'); };
    const viaFallback = await cachedFeatures(newCatalog(), backbone, images.slice(0, 4), { engine: { loader: failing } });
    const viaTfjs = await cachedFeatures(newCatalog(), backbone, images.slice(0, 4), { engine: tfjsOnly });
    expect(Array.from(viaFallback.data)).toEqual(Array.from(viaTfjs.data));
  });

  it('says once which layer kept a model on tfjs, and still caches its features', async () => {
    const input = tf.input({ shape: [64, 64, 3] });
    const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 4, name: 'projection' }).apply(pooled) as tf.SymbolicTensor, name: 'custom' });
    const custom: Backbone = { ...backbone, weightsSource: 'custom test model', model };
    const lines: string[] = [];
    const db = newCatalog();
    const table = await cachedFeatures(db, custom, images, { batchSize: 4, log: (line) => lines.push(line) });
    expect(lines).toEqual(['notice: custom runs on tfjs: layer projection: Dense has no ONNX conversion']);
    expect(table.shape).toEqual([4]);
    expect(rows(db)).toEqual([{ extractor: extractorKey(custom), shape: '[4]', n: images.length }]);
    model.dispose();
  });

  it('fails on an image it cannot decode with that file named, keeping the batches before it', async () => {
    const broken = path.join(tmp.dir, 'broken.png');
    fs.writeFileSync(broken, Buffer.from('not a png at all'));
    const refs = [...images.slice(0, 4), { path: broken, sha256: 'b'.repeat(64) }];
    const db = newCatalog();
    await expect(cachedFeatures(db, backbone, refs, { batchSize: 4 })).rejects.toThrow(/broken\.png: .*unsupported image format/);
    expect(rows(db)).toEqual([{ extractor: extractorKey(backbone), shape: '[1280]', n: 4 }]);
  });
});
