import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairedDistance, pairwiseDistance, tripletLoss, type Distance } from '../../src-main/ml/triplet-loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Hand-made rows. a0 = (1, 0), a1 = (0, 2); p0 = (0, 0), p1 = (3, 4); n0 = (1, 1), n1 = (0, -2).
const A = [[1, 0], [0, 2]];
const P = [[0, 0], [3, 4]];
const N = [[1, 1], [0, -2]];

const values = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('pairedDistance', () => {
  it.each<[Distance, number[]]>([
    // |1−0|+|0−0| = 1 ; |0−3|+|2−4| = 5
    ['l1', [1, 5]],
    // 1 ; 9 + 4 = 13
    ['l2sq', [1, 13]],
    // p0 is the zero vector: its norm is clamped, so the cosine similarity is 0 and the distance 1 ;
    // a1·p1 = 8, ‖a1‖ = 2, ‖p1‖ = 5 → 1 − 8/10 = 0.2
    ['cosine', [1, 0.2]],
  ])('%s matches hand-computed row distances', (distance, expected) => {
    const got = tf.tidy(() => pairedDistance(tf.tensor2d(A), tf.tensor2d(P), distance));
    values(got).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('rejects batches of different widths', () => {
    expect(() => tf.tidy(() => pairedDistance(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D, 'l1')))
      .toThrow(/same d/);
  });
});

describe('pairwiseDistance', () => {
  it.each<[Distance, number[][]]>([
    // rows: a0, a1; columns: p0, p1
    ['l1', [[1, 6], [2, 5]]],
    ['l2sq', [[1, 20], [4, 13]]],
    // a0·p1 = 3 → 1 − 3/5 = 0.4
    ['cosine', [[1, 0.4], [1, 0.2]]],
  ])('%s gives every anchor against every positive', (distance, expected) => {
    const got = tf.tidy(() => pairwiseDistance(tf.tensor2d(A), tf.tensor2d(P), distance).arraySync());
    expect(got.length).toBe(2);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
  });

  it('agrees with pairedDistance on its diagonal for random rows', () => {
    for (const distance of ['l1', 'l2sq', 'cosine'] as Distance[]) {
      const [diag, paired] = tf.tidy(() => {
        const a = tf.randomNormal([5, 7], 0, 1, 'float32', 3) as tf.Tensor2D;
        const b = tf.randomNormal([5, 7], 0, 1, 'float32', 4) as tf.Tensor2D;
        const m = pairwiseDistance(a, b, distance).arraySync();
        return [m.map((row, i) => row[i]), Array.from(pairedDistance(a, b, distance).dataSync())];
      });
      diag.forEach((v, i) => expect(v).toBeCloseTo(paired[i], 4));
    }
  });
});

describe('tripletLoss', () => {
  it.each<[Distance, number, number]>([
    // l1: d(a,p) = [1, 5], d(a,n) = [1, 4] → max(1−1+0.5, 0) = 0.5, max(5−4+0.5, 0) = 1.5 → mean 1.0
    ['l1', 0.5, 1.0],
    // l2sq: d(a,p) = [1, 13], d(a,n) = [1, 16] → 0.5, max(−3+0.5, 0) = 0 → mean 0.25
    ['l2sq', 0.5, 0.25],
    // cosine: d(a,p) = [1, 0.2]; d(a,n): a0·n0 = 1, ‖n0‖ = √2 → 1 − 1/√2 ≈ 0.29289; a1·n1 = −4 → 1 + 1 = 2
    // → max(1 − 0.29289 + 0.1, 0) = 0.80711 ; max(0.2 − 2 + 0.1, 0) = 0 → mean 0.403553
    ['cosine', 0.1, (1 - (1 - 1 / Math.SQRT2) + 0.1) / 2],
  ])('%s with margin %s is the mean hinge over the batch', (distance, margin, expected) => {
    const loss = tf.tidy(() => tripletLoss(tf.tensor2d(A), tf.tensor2d(P), tf.tensor2d(N), { margin, distance }));
    expect(values(loss)[0]).toBeCloseTo(expected, 5);
  });

  it('is zero when every negative is farther than its positive by the margin', () => {
    const loss = tf.tidy(() =>
      tripletLoss(tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 1]]), tf.tensor2d([[0, 3]]), { margin: 1, distance: 'l1' }));
    expect(values(loss)[0]).toBe(0);
  });

  it('has a gradient that pulls the positive in and pushes the negative out', () => {
    const a = tf.tensor2d([[0, 0]]);
    const n = tf.tensor2d([[0.5, 0]]);
    const grads = tf.grads((p: tf.Tensor, neg: tf.Tensor) =>
      tripletLoss(a, p as tf.Tensor2D, neg as tf.Tensor2D, { margin: 0.5, distance: 'l2sq' }));
    const [gp, gn] = grads([tf.tensor2d([[1, 0]]), n]);
    // Gradient descent moves p against gp (towards a at the origin) and n against gn (away from a).
    expect(gp.dataSync()[0]).toBeGreaterThan(0);
    expect(gn.dataSync()[0]).toBeLessThan(0);
    tf.dispose([a, n, gp, gn]);
  });

  it('leaves no tensors behind', () => {
    const a = tf.tensor2d(A);
    const p = tf.tensor2d(P);
    const n = tf.tensor2d(N);
    const before = tf.memory().numTensors;
    for (const distance of ['l1', 'l2sq', 'cosine'] as Distance[]) {
      tripletLoss(a, p, n, { margin: 0.5, distance }).dispose();
      pairwiseDistance(a, p, distance).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, p, n]);
  });
});
