import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyColourHandling } from '../../src-main/ml/colour-handling.ts';
import { concatNormalised, globalPool, RecipePool } from '../../src-main/ml/feature-pooling.ts';
import { backboneEntry, recipeFor, recipeIds } from '../../src-main/ml/backbones/registry.ts';
import { loadBackbone } from '../../src-main/model-store/load-backbone.ts';
import { extractorKey } from '../../src-main/model-store/feature-cache.ts';
import { resolveTrainConfig } from '../../src-main/model-store/train-config.ts';

let start: number;
beforeEach(() => (start = tf.memory().numTensors));
afterEach(() => expect(tf.memory().numTensors).toBe(start));

/** A 2×2 map of two channels: channel 0 holds 1, 2, 3, 4; channel 1 holds −1, 0, 0, 8. */
const map = () => tf.tensor4d([1, -1, 2, 0, 3, 0, 4, 8], [1, 2, 2, 2]);
const values = (t: tf.Tensor) => { const v = Array.from(t.dataSync()); t.dispose(); return v; };

describe('pooling maths on a constructed feature map', () => {
  it('avg is the mean, max the maximum, GeM the p-th root of the mean p-th power (negatives clamped)', () => {
    const m = map();
    expect(values(globalPool(m, 'avg'))).toEqual([2.5, 1.75]);
    expect(values(globalPool(m, 'max'))).toEqual([4, 8]);
    const gem = values(globalPool(m, 'gem', 3));
    expect(gem[0]).toBeCloseTo(Math.cbrt((1 + 8 + 27 + 64) / 4), 5); // 2.924…
    // −1 is clamped to ~0, so channel 1 is (8³ / 4)^(1/3) = 8 / 4^(1/3).
    expect(gem[1]).toBeCloseTo(8 / Math.cbrt(4), 4);
    // GeM lies between avg and max, and p = 1 on a non-negative channel is the mean.
    expect(gem[0]).toBeGreaterThan(2.5);
    expect(gem[0]).toBeLessThan(4);
    expect(values(globalPool(m, 'gem', 1))[0]).toBeCloseTo(2.5, 5);
    expect(() => globalPool(m, 'gem', 0)).toThrow(/p must be positive/);
    m.dispose();
  });

  it('concatenation keeps the layers in order, each L2-normalised, and normalises the whole again', () => {
    const a = tf.tensor2d([[3, 4]]);
    const b = tf.tensor2d([[0, 0, 2]]);
    const joined = values(concatNormalised([a, b]));
    const k = 1 / Math.sqrt(2);
    [0.6 * k, 0.8 * k, 0, 0, k].forEach((v, i) => expect(joined[i]).toBeCloseTo(v, 6));
    // Swapping the layers swaps the blocks: order is part of the recipe.
    const swapped = values(concatNormalised([b, a]));
    [0, 0, k, 0.6 * k, 0.8 * k].forEach((v, i) => expect(swapped[i]).toBeCloseTo(v, 6));
    // One layer: just its unit vector.
    expect(values(concatNormalised([a]))).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    tf.dispose([a, b]);
  });

  it('the RecipePool layer pools each input map and joins them; it survives a save/load round trip', async () => {
    const x1 = tf.input({ shape: [2, 2, 2] });
    const x2 = tf.input({ shape: [2, 2, 2] });
    const out = new RecipePool({ pooling: 'max', name: 'pool' }).apply([x1, x2]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [x1, x2], outputs: out });
    expect(out.shape).toEqual([null, 4]);
    const m = map();
    const twice = tf.mul(m, 2);
    const y = values(model.predict([m, twice]) as tf.Tensor);
    // max of map = [4, 8] → unit [0.447, 0.894]; of 2·map the same unit vector; joined, each / √2.
    const u = [4 / Math.hypot(4, 8), 8 / Math.hypot(4, 8)].map((v) => v / Math.SQRT2);
    [...u, ...u].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect((loaded.getLayer('pool') as RecipePool).pooling).toBe('max');
    expect(values(loaded.predict([m, twice]) as tf.Tensor)).toEqual(y);
    tf.dispose([m, twice]);
    loaded.dispose();
    model.dispose();
  });
});

describe('colour handling', () => {
  /** 10×10 image: a border of `ground`, a 2×2 patch of `ink` in the middle, everything else `ground`. */
  const image = (ground: number[], ink: number[]) => {
    const v: number[] = [];
    for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) v.push(...(r >= 4 && r < 6 && c >= 4 && c < 6 ? ink : ground));
    return tf.tensor4d(v, [1, 10, 10, 3]);
  };
  const pixel = (t: tf.Tensor4D, r: number, c: number) => tf.tidy(() => Array.from(t.slice([0, r, c, 0], [1, 1, 1, 3]).dataSync()));

  it('grey replicates Rec. 601 luma to three channels; colour leaves the image as it is', () => {
    const x = image([255, 255, 255], [200, 100, 50]);
    const grey = applyColourHandling(x, 'grey');
    const y = 0.299 * 200 + 0.587 * 100 + 0.114 * 50;
    pixel(grey, 5, 5).forEach((v) => expect(v).toBeCloseTo(y, 3));
    const same = applyColourHandling(x, 'colour');
    expect(values(same)).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, grey]);
  });

  it('polarity turns a light-on-dark logo and a pale one into the same dark-on-white glyph', () => {
    const lightOnDark = image([20, 20, 20], [240, 240, 240]);
    const pale = image([255, 255, 255], [255, 240, 150]);
    for (const x of [lightOnDark, pale]) {
      const p = applyColourHandling(x, 'polarity');
      pixel(p, 0, 0).forEach((v) => expect(v).toBeCloseTo(255, 3));
      pixel(p, 5, 5).forEach((v) => expect(v).toBeCloseTo(0, 3));
      tf.dispose([x, p]);
    }
    // A flat image has nothing to stretch: it stays grey, not NaN.
    const flat = image([90, 90, 90], [90, 90, 90]);
    const p = applyColourHandling(flat, 'polarity');
    expect(values(p).every((v) => Math.abs(v - 165) < 1e-3)).toBe(true); // dark border → inverted, 255 − 90
    flat.dispose();
  });
});

describe('recipes in the backbone registry', () => {
  it('each MobileNetV2 recipe names real layers; a run with --features gets its pooled vector, colour handling and its own cache key', async () => {
    expect(recipeIds('mobilenetv2')).toEqual(['final', 'mid-multi-gem-polarity', 'mid-gem-polarity', 'mid-multi-gem-grey', 'mid-multi-gem-colour', 'late-max-grey']);
    const plain = await loadBackbone('mobilenetv2', 32, {}, () => {});
    const names = new Set(plain.model.layers.map((l) => l.name));
    for (const id of recipeIds('mobilenetv2').slice(1)) {
      const recipe = recipeFor('mobilenetv2', id)!;
      for (const layer of [...recipe.layers, recipe.freezeBefore!]) expect(names.has(layer), `${id}: ${layer}`).toBe(true);
    }
    const multi = await loadBackbone('mobilenetv2', 32, {}, () => {}, 'mid-multi-gem-grey');
    // 64 + 96 + 96 + 160 channels, concatenated.
    expect(multi.model.outputs[0].shape).toEqual([null, 416]);
    expect(multi.freezeBefore).toBe('block_9_expand');
    expect(extractorKey(multi)).toBe(`${extractorKey(plain)}:mid-multi-gem-grey`);
    // Greyscale preprocessing: a red and a grey of the same luma are the same input.
    const red = tf.tensor4d(new Array(32 * 32).fill([255, 0, 0]).flat(), [1, 32, 32, 3]);
    const grey = tf.fill([1, 32, 32, 3], 0.299 * 255) as tf.Tensor4D;
    const a = multi.preprocess(red);
    const b = multi.preprocess(grey);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-4);
    const y = multi.model.predict(a) as tf.Tensor;
    expect(tf.tidy(() => tf.norm(y).dataSync()[0])).toBeCloseTo(1, 4);
    tf.dispose([red, grey, a, b, y]);
    plain.model.dispose();
    multi.model.dispose();
  });

  it('--features is checked against the backbone, and a recipe brings its own input size', () => {
    expect(resolveTrainConfig({}, { device: 'cpu' }, 'mobilenetv2').features).toBe('mid-multi-gem-polarity');
    expect(resolveTrainConfig({}, { device: 'cpu' }, 'resnet50').features).toBe('final');
    const c = resolveTrainConfig({ features: 'late-max-grey' }, { device: 'cpu' }, 'mobilenetv2');
    expect(c).toMatchObject({ features: 'late-max-grey', inputSize: recipeFor('mobilenetv2', 'late-max-grey')!.inputSize });
    expect(() => resolveTrainConfig({ features: 'late-max-grey' }, { device: 'cpu' }, 'resnet50')).toThrow(/--features for resnet50 must be one of final/);
    expect(backboneEntry('resnet50').recipes).toBeUndefined();
  });
});
