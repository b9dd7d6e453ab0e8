import * as tf from '@tensorflow/tfjs';
import type { RecipePooling } from '../../src-shared/train-options.ts';

/**
 * Global pooling of feature maps and the concatenation of several layers' pooled vectors: the maths of a feature
 * recipe (src-main/ml/backbones/*.ts registers recipes; docs/feature-recipes.md says which won where).
 */

/**
 * GeM is defined on non-negative activations (it follows a ReLU in Radenović et al. 2018). MobileNetV2's `*_add`
 * outputs are linear bottlenecks and go negative, so values are clamped to this floor first, as the reference
 * implementation does.
 */
export const GEM_EPS = 1e-6;

/**
 * [n, h, w, c] → [n, c]: the mean (avg), the maximum (max) or the generalised mean (gem,
 * `(mean(max(x, eps)^p))^(1/p)`: p = 1 is avg of the clamped map, p → ∞ tends to max). Returns a new tensor.
 */
export function globalPool(map: tf.Tensor4D, pooling: RecipePooling, p = 3): tf.Tensor2D {
  return tf.tidy(() => {
    if (pooling === 'avg') return tf.mean(map, [1, 2]) as tf.Tensor2D;
    if (pooling === 'max') return tf.max(map, [1, 2]) as tf.Tensor2D;
    if (!(p > 0)) throw new RangeError(`GeM's p must be positive, got ${p}`);
    return tf.pow(tf.mean(tf.pow(tf.maximum(map, GEM_EPS), p), [1, 2]), 1 / p) as tf.Tensor2D;
  });
}

/** Each row divided by its L2 norm (Keras's epsilon, so an all-zero row stays zero). Returns a new tensor. */
export function l2NormaliseRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D);
}

/**
 * Several layers' pooled vectors as one, in the order given: each part L2-normalised first, so a layer with more
 * channels or larger activations does not drown the others, then concatenated and normalised again (every part
 * then weighs 1/√parts). Returns a new tensor.
 */
export function concatNormalised(parts: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => l2NormaliseRows(parts.length === 1 ? l2NormaliseRows(parts[0]) : tf.concat(parts.map(l2NormaliseRows), -1)));
}

/**
 * A layer that pools each of its inputs (feature maps or vectors) and joins them with {@link concatNormalised}:
 * a recipe's whole pooling step, part of the saved model so a finetuned checkpoint embeds as it trained.
 */
export class RecipePool extends tf.layers.Layer {
  static readonly className = 'RecipePool';
  readonly pooling: RecipePooling;
  readonly p: number;

  constructor(config: { pooling: RecipePooling; p?: number; name?: string }) {
    super(config);
    this.pooling = config.pooling;
    this.p = config.p ?? 3;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tf.Shape[];
    return [shapes[0][0], shapes.reduce((s, shape) => s + (shape[shape.length - 1] as number), 0)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const pooled = list.map((x) => (x.rank === 4 ? globalPool(x as tf.Tensor4D, this.pooling, this.p) : (x as tf.Tensor2D)));
      return concatNormalised(pooled);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pooling: this.pooling, p: this.p };
  }
}
tf.serialization.registerClass(RecipePool);
