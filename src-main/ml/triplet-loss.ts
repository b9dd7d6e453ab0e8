import * as tf from '@tensorflow/tfjs';
import type { Distance } from '../../src-shared/train-options.ts';

export type { Distance };

/*
 * How far apart two embeddings are (Distance, declared with the other choices in src-shared/train-options.ts):
 * - `l1`: Σ|a − b|, the original notebook's choice.
 * - `l2sq`: Σ(a − b)², FaceNet's.
 * - `cosine`: 1 − a·b / (‖a‖‖b‖); for L2-normalised embeddings it ranks exactly like `l2sq` (= l2sq / 2).
 */

/** Options of {@link tripletLoss}. */
export interface TripletLossOptions {
  /** How much farther than the positive the negative must be before a triplet stops contributing. */
  margin: number;
  distance: Distance;
}

// Guards the cosine division for an all-zero row (an untrained or dead embedding), as Keras' l2_normalize does.
const NORM_EPSILON = 1e-12;

/**
 * Row-by-row distance: row i of `a` against row i of `b`. Shapes [n, d] and [n, d] → [n].
 * Differentiable; the caller owns the result (use inside tf.tidy or dispose it).
 */
export function pairedDistance(a: tf.Tensor2D, b: tf.Tensor2D, distance: Distance): tf.Tensor1D {
  assertSameWidth(a, b);
  if (a.shape[0] !== b.shape[0]) throw new RangeError(`pairedDistance needs the same number of rows, got ${a.shape[0]} and ${b.shape[0]}`);
  return tf.tidy(() => {
    switch (distance) {
      case 'l1':
        return tf.sum(tf.abs(tf.sub(a, b)), 1) as tf.Tensor1D;
      case 'l2sq':
        return tf.sum(tf.square(tf.sub(a, b)), 1) as tf.Tensor1D;
      case 'cosine': {
        const dot = tf.sum(tf.mul(a, b), 1);
        return tf.sub(1, tf.div(dot, tf.mul(rowNorms(a), rowNorms(b)))) as tf.Tensor1D;
      }
    }
  });
}

/**
 * Every row of `a` against every row of `b`: [n, d] and [m, d] → [n, m], entry (i, j) = d(a_i, b_j).
 * Used by mining on one batch; L1 materialises an [n, m, d] difference, fine for batch sizes but not for a
 * whole catalog. The caller owns the result.
 */
export function pairwiseDistance(a: tf.Tensor2D, b: tf.Tensor2D, distance: Distance): tf.Tensor2D {
  assertSameWidth(a, b);
  return tf.tidy(() => {
    switch (distance) {
      case 'l1':
        return tf.sum(tf.abs(tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0))), 2) as tf.Tensor2D;
      case 'l2sq': {
        // ‖a‖² + ‖b‖² − 2a·b; rounding can dip a hair below zero for identical rows, hence the clamp.
        const aa = tf.sum(tf.square(a), 1, true);
        const bb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]);
        const ab = tf.matMul(a, b, false, true);
        return tf.relu(tf.sub(tf.add(aa, bb), tf.mul(2, ab))) as tf.Tensor2D;
      }
      case 'cosine': {
        const ab = tf.matMul(a, b, false, true);
        const norms = tf.mul(tf.reshape(rowNorms(a), [-1, 1]), tf.reshape(rowNorms(b), [1, -1]));
        return tf.sub(1, tf.div(ab, norms)) as tf.Tensor2D;
      }
    }
  });
}

/**
 * Triplet loss of Schroff et al. (FaceNet, 2015) with the notebook's hinge:
 * mean over the batch of max(d(a, p) − d(a, n) + margin, 0).
 * `anchors`, `positives`, `negatives` are [n, d] with row i forming one triplet. Returns a scalar the caller
 * owns; differentiable, so it can be the value of an optimizer closure.
 */
export function tripletLoss(
  anchors: tf.Tensor2D,
  positives: tf.Tensor2D,
  negatives: tf.Tensor2D,
  { margin, distance }: TripletLossOptions,
): tf.Scalar {
  return tf.tidy(() => {
    const dap = pairedDistance(anchors, positives, distance);
    const dan = pairedDistance(anchors, negatives, distance);
    return tf.mean(tf.relu(tf.add(tf.sub(dap, dan), margin))) as tf.Scalar;
  });
}

function rowNorms(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1), NORM_EPSILON)) as tf.Tensor1D;
}

function assertSameWidth(a: tf.Tensor2D, b: tf.Tensor2D): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new RangeError(`distance needs two [n, d] tensors of the same d, got [${a.shape}] and [${b.shape}]`);
  }
}
