import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyColourHandling } from '../scripts/features/colour-handling.ts';
import { concatNormalised, l2Rows, poolMap } from '../scripts/features/pooling.ts';
import { score } from '../scripts/measure-features.ts';

/** A [1, 2, 2, 2] map: channel 0 holds 1, 2, 3, 4 over the four positions; channel 1 holds −1, 0, 0, 8. */
const map = () => tf.tensor4d([1, -1, 2, 0, 3, 0, 4, 8], [1, 2, 2, 2]);

describe('poolMap', () => {
  it('averages, takes the maximum, and takes the cube root of the mean cube (GeM p=3) per channel', async () => {
    const m = map();
    expect(Array.from(await poolMap(m, 'avg').data())).toEqual([2.5, 1.75]);
    expect(Array.from(await poolMap(m, 'max').data())).toEqual([4, 8]);
    const gem = Array.from(await poolMap(m, 'gem').data());
    expect(gem[0]).toBeCloseTo(Math.cbrt((1 + 8 + 27 + 64) / 4), 4);
    // negative activations are clamped to ~0 before cubing: channel 1 is (0 + 0 + 0 + 512) / 4
    expect(gem[1]).toBeCloseTo(Math.cbrt(512 / 4), 4);
    m.dispose();
  });
  it('GeM lies between the average and the maximum of non-negative activations', async () => {
    const m = tf.tensor4d([0.5, 1, 2, 7], [1, 2, 2, 1]);
    const [avg, gem, max] = await Promise.all(['avg', 'gem', 'max'].map(async (p) => (await poolMap(m, p as 'avg').data())[0]));
    expect(gem).toBeGreaterThan(avg);
    expect(gem).toBeLessThan(max);
    m.dispose();
  });
});

describe('concatNormalised', () => {
  it('weighs each layer equally however large its activations, and returns unit rows', () => {
    const small = { rows: Float32Array.from([1, 0]), dim: 2 };
    const large = { rows: Float32Array.from([0, 1000, 0]), dim: 3 };
    const { rows, dim } = concatNormalised([small, large], 1);
    expect(dim).toBe(5);
    expect(Array.from(rows).map((v) => +v.toFixed(4))).toEqual([0.7071, 0, 0, 0.7071, 0]);
  });
  it('l2Rows leaves an all-zero row at zero instead of NaN', () => {
    expect(Array.from(l2Rows(new Float32Array(3), 3))).toEqual([0, 0, 0]);
  });
});

describe('applyColourHandling', () => {
  /** A 10×10 image: background `bg`, one ink pixel at the centre. */
  const image = (bg: [number, number, number], ink: [number, number, number]) => {
    const px = new Float32Array(300);
    for (let i = 0; i < 100; i++) px.set(i === 55 ? ink : bg, 3 * i);
    return px;
  };
  it('grey replicates Rec. 601 luma into the three channels', () => {
    const out = applyColourHandling(image([255, 255, 255], [255, 0, 0]), 10, 'grey');
    expect(Array.from(out.subarray(165, 168)).map((v) => +v.toFixed(2))).toEqual([76.25, 76.25, 76.25]);
  });
  it('polarity makes a light logo on a dark ground the same as a dark logo on white, full contrast', () => {
    const darkOnLight = applyColourHandling(image([255, 255, 255], [200, 200, 0]), 10, 'polarity');
    const lightOnDark = applyColourHandling(image([0, 0, 40], [255, 255, 128]), 10, 'polarity');
    expect(darkOnLight[0]).toBeCloseTo(255, 3);
    expect(darkOnLight[165]).toBeCloseTo(0, 3);
    expect(Array.from(lightOnDark).map(Math.round)).toEqual(Array.from(darkOnLight).map(Math.round));
  });
  it('colour returns the image untouched', () => {
    const px = image([1, 2, 3], [4, 5, 6]);
    expect(applyColourHandling(px, 10, 'colour')).toBe(px);
  });
});

describe('score', () => {
  it('gives Recall@1 = 1 when each query is closest to its own gallery item, and counts a swap as two misses', () => {
    const gallery = Float32Array.from([1, 0, 0, 1]);
    expect(score(gallery, Float32Array.from([0.9, 0.1, 0.2, 0.8]), 2, 2)).toMatchObject({ r1: 1, mrr: 1 });
    expect(score(gallery, Float32Array.from([0.1, 0.9, 0.8, 0.2]), 2, 2)).toMatchObject({ r1: 0, mrr: 0.5 });
  });
});
