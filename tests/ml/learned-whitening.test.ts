import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/ml/backend.ts';
import { buildWhitenedHead } from '../../src-main/ml/head.ts';
import { fitLearnedWhitening } from '../../src-main/ml/learned-whitening.ts';
import { createRandom } from '../../src-main/ml/seeded-random.ts';
import { symmetricEigen } from '../../src-main/ml/symmetric-eigen.ts';
import { scorePairedSets } from '../../src-main/ml/metrics/score-paired-sets.ts';

beforeAll(async () => {
  await initBackend();
});

function gaussian(random: ReturnType<typeof createRandom>): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

describe('symmetricEigen', () => {
  it('decomposes a symmetric matrix: A·v = λ·v, orthonormal vectors, values ascending', () => {
    const n = 40;
    const random = createRandom(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random.next() - 0.5;
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
        expect(Math.abs(av - values[j] * vectors[i * n + j])).toBeLessThan(1e-12);
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += vectors[i * n + j] ** 2;
      expect(norm).toBeCloseTo(1, 12);
      if (j > 0) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    }
  });

  it('gives the known eigenvalues of a diagonal-plus-rotation matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    const { values } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(3, 12);
  });
});

/**
 * Pairs of one "brand" signal seen through a strong nuisance: each side adds its own large random offset along a
 * few fixed directions (colour vs glyph), which swamps cosine similarity. Learned whitening must find and damp them.
 */
function nuisancePairs(pairs: number, dim: number, seed: number): { left: Float32Array; right: Float32Array } {
  const random = createRandom(seed);
  const left = new Float32Array(pairs * dim);
  const right = new Float32Array(pairs * dim);
  for (let p = 0; p < pairs; p++) {
    for (let i = 0; i < dim; i++) {
      const signal = gaussian(random);
      left[p * dim + i] = signal;
      right[p * dim + i] = signal + 0.2 * gaussian(random);
    }
    // The nuisance: dimensions 0–3 carry a large side-specific value.
    for (let i = 0; i < 4; i++) {
      left[p * dim + i] += 6 * gaussian(random);
      right[p * dim + i] += 6 * gaussian(random);
    }
  }
  return { left, right };
}

function recallAt1(left: Float32Array, right: Float32Array, dim: number): number {
  const n = left.length / dim;
  const norm = (x: Float32Array, r: number) => Math.hypot(...x.subarray(r * dim, (r + 1) * dim));
  return scorePairedSets(n, (q, g) => {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += right[q * dim + i] * left[g * dim + i];
    return dot / (norm(right, q) * norm(left, g));
  }).scores.recall['1'];
}

describe('fitLearnedWhitening', () => {
  it('learns from training pairs what tells pairs apart, and retrieves unseen pairs far better than raw cosine', () => {
    const dim = 24;
    const train = nuisancePairs(200, dim, 1);
    const test = nuisancePairs(60, dim, 2);
    const w = fitLearnedWhitening(train.left, train.right, { dim, outputDims: 16 });
    const project = (x: Float32Array) => {
      const n = x.length / dim;
      const out = new Float32Array(n * 16);
      for (let r = 0; r < n; r++) {
        const row = x.subarray(r * dim, (r + 1) * dim);
        const len = Math.hypot(...row);
        for (let k = 0; k < 16; k++) {
          let v = w.bias[k];
          for (let i = 0; i < dim; i++) v += (row[i] / len) * w.kernel[i * 16 + k];
          out[r * 16 + k] = v;
        }
      }
      return out;
    };
    const raw = recallAt1(test.left, test.right, dim);
    const whitened = recallAt1(project(test.left), project(test.right), 16);
    expect(raw).toBeLessThan(0.6);
    expect(whitened).toBeGreaterThan(0.9);
  });

  it('refuses inputs it cannot fit, by name', () => {
    const one = new Float32Array(8);
    expect(() => fitLearnedWhitening(one, one, { dim: 8, outputDims: 4 })).toThrow(/at least 2 pairs/);
    const two = new Float32Array(16).fill(1);
    expect(() => fitLearnedWhitening(two, two, { dim: 8, outputDims: 9 })).toThrow(/outputDims must be 1…8/);
    expect(() => fitLearnedWhitening(two, new Float32Array(8), { dim: 8, outputDims: 4 })).toThrow(/pairs × 8/);
    const bad = Float32Array.from(two, (v, i) => (i === 3 ? NaN : v));
    expect(() => fitLearnedWhitening(bad, two, { dim: 8, outputDims: 4 })).toThrow(/non-finite/);
  });
});

describe('buildWhitenedHead', () => {
  it('embeds exactly as the fitted projection does, L2-normalised, and saves through its weights', async () => {
    const dim = 12;
    const { left, right } = nuisancePairs(30, dim, 5);
    const w = fitLearnedWhitening(left, right, { dim, outputDims: 6 });
    const before = tf.memory().numTensors;
    const head = buildWhitenedHead({ inputShape: [dim], embeddingSize: 6, whitening: w });
    const x = tf.tensor2d(left.subarray(0, 3 * dim), [3, dim]);
    const out = head.predict(x) as tf.Tensor;
    const y = out.arraySync() as number[][];
    out.dispose();
    for (let r = 0; r < 3; r++) {
      const row = left.subarray(r * dim, (r + 1) * dim);
      const len = Math.hypot(...row);
      const expected = Array.from({ length: 6 }, (_, k) => w.bias[k] + row.reduce((s, v, i) => s + (v / len) * w.kernel[i * 6 + k], 0));
      const norm = Math.hypot(...expected);
      expected.forEach((v, k) => expect(y[r][k]).toBeCloseTo(v / norm, 5));
      expect(Math.hypot(...y[r])).toBeCloseTo(1, 5);
    }
    x.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('average-pools a feature map and refuses an embedding wider than the feature', () => {
    const head = buildWhitenedHead({ inputShape: [2, 2, 5], embeddingSize: 5 });
    expect(head.outputs[0].shape).toEqual([null, 5]);
    head.dispose();
    expect(() => buildWhitenedHead({ inputShape: [5], embeddingSize: 6 })).toThrow(/1…5/);
  });
});
