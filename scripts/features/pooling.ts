/**
 * Ways to turn a feature map [n, h, w, c] into one vector per image, for measuring which works best
 * untrained (scripts/measure-features.ts). Call inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';

export const POOLINGS = ['avg', 'max', 'gem'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** GeM's exponent: p = 3 is what Radenović et al. (2018) found best for retrieval and most work reuses. */
export const GEM_P = 3;
/**
 * GeM is defined on non-negative activations (it follows a ReLU in the paper). MobileNetV2's `*_add` and
 * `*_project_BN` outputs are linear bottlenecks and go negative, so values are clamped to this floor first,
 * as the reference implementation does.
 */
const GEM_EPS = 1e-6;

/** Global pooling of a feature map over its spatial axes: [n, h, w, c] → [n, c]. */
export function poolMap(map: tf.Tensor4D, pooling: Pooling): tf.Tensor2D {
  if (pooling === 'avg') return tf.mean(map, [1, 2]) as tf.Tensor2D;
  if (pooling === 'max') return tf.max(map, [1, 2]) as tf.Tensor2D;
  return tf.pow(tf.mean(tf.pow(tf.maximum(map, GEM_EPS), GEM_P), [1, 2]), 1 / GEM_P) as tf.Tensor2D;
}

/** Each row scaled to unit L2 length (an all-zero row stays zero). */
export function l2Rows(rows: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[r * dim + j] ** 2;
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] = rows[r * dim + j] * k;
  }
  return out;
}

/**
 * Several layers' pooled vectors as one: each part L2-normalised first so that a layer with more channels or
 * larger activations does not drown the others, then concatenated and normalised again.
 */
export function concatNormalised(parts: { rows: Float32Array; dim: number }[], n: number): { rows: Float32Array; dim: number } {
  const dim = parts.reduce((s, p) => s + p.dim, 0);
  const out = new Float32Array(n * dim);
  let offset = 0;
  for (const part of parts) {
    const unit = l2Rows(part.rows, part.dim);
    for (let r = 0; r < n; r++) out.set(unit.subarray(r * part.dim, (r + 1) * part.dim), r * dim + offset);
    offset += part.dim;
  }
  return { rows: l2Rows(out, dim), dim };
}
