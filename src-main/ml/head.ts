import * as tf from '@tensorflow/tfjs';
import type { Pooling } from '../../src-shared/train-options.ts';
import type { Whitening } from './learned-whitening.ts';

/** How backbone features become a vector before the dense layers (the choices: src-shared/train-options.ts). */
export type HeadPooling = Pooling;

/** Options of {@link buildHead}. */
export interface HeadOptions {
  /** Shape of one backbone feature (no batch axis): [h, w, c] for a feature map, [c] for a pooled vector. */
  inputShape: number[];
  /**
   * `flatten` is the notebook's choice (7×7×2048 → 100 352 inputs to the first dense layer, ~51 M weights);
   * `avg` is GlobalAveragePooling2D, 256× fewer weights, and a no-op when the features are already a vector.
   */
  pooling: HeadPooling;
  /** Width of the final embedding. */
  embeddingSize?: number;
  /** Seeds the kernel initialisers so two heads built with the same seed start identical. */
  seed?: number;
}

/**
 * Divides each row by its L2 norm, so embeddings lie on the unit sphere and distances between them are bounded.
 * A layer (rather than a tf.div in user code) so that it is part of the saved model and a loaded model embeds
 * exactly as the trained one did. Same epsilon as Keras' `tf.math.l2_normalize`.
 */
export class L2Normalize extends tf.layers.Layer {
  static readonly className = 'L2Normalize';
  private static readonly epsilon = 1e-12;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const squared = tf.sum(tf.square(x), -1, true);
      return tf.mul(x, tf.rsqrt(tf.maximum(squared, L2Normalize.epsilon)));
    });
  }
}
// Registration lets tf.loadLayersModel rebuild the layer from its class name; it creates no tensors.
tf.serialization.registerClass(L2Normalize);

/**
 * Builds the embedding head of the original notebook, from backbone features to an L2-normalised embedding:
 * pooling → Dense 512 relu → BatchNorm → Dense 256 relu → BatchNorm → Dense `embeddingSize` → L2 normalise.
 * Layer names start with `head_` so they never clash with the backbone's when the two are stacked.
 */
export function buildHead({ inputShape, pooling, embeddingSize = 256, seed }: HeadOptions): tf.LayersModel {
  if (inputShape.length !== 1 && inputShape.length !== 3) {
    throw new RangeError(`buildHead expects a [c] vector or an [h, w, c] feature map, got [${inputShape}]`);
  }
  if (!Number.isInteger(embeddingSize) || embeddingSize < 1) {
    throw new RangeError(`embeddingSize must be a positive integer, got ${embeddingSize}`);
  }
  let layerSeed = seed;
  const kernel = (): ReturnType<typeof tf.initializers.glorotUniform> | undefined =>
    layerSeed === undefined ? undefined : tf.initializers.glorotUniform({ seed: layerSeed++ });

  const input = tf.input({ shape: inputShape, name: 'head_input' });
  let x: tf.SymbolicTensor = input;
  if (inputShape.length === 3) {
    const pool = pooling === 'avg'
      ? tf.layers.globalAveragePooling2d({ name: 'head_avg_pool' })
      : tf.layers.flatten({ name: 'head_flatten' });
    x = pool.apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: kernel(), name: 'head_dense_512' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'head_bn_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: kernel(), name: 'head_dense_256' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'head_bn_2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: embeddingSize, kernelInitializer: kernel(), name: 'head_embedding' })
    .apply(x) as tf.SymbolicTensor;
  const output = new L2Normalize({ name: 'head_l2_normalize' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'head' });
}

/** Options of {@link buildWhitenedHead}. */
export interface WhitenedHeadOptions {
  /** Shape of one backbone feature: [c], or [h, w, c] (average-pooled first: a flattened map is too wide to whiten). */
  inputShape: number[];
  /** Width of the embedding; at most the feature's channel count. */
  embeddingSize: number;
  /** The fitted projection (learned-whitening.ts); without it the layer starts from Glorot weights (a checkpoint's weights follow). */
  whitening?: Whitening;
}

/**
 * The learned-whitening head (learned-whitening.ts): [average pooling of a map] → L2 normalise → Dense
 * `embeddingSize` (kernel and bias from the closed-form fit) → L2 normalise. A linear siamese head: both sides go
 * through the same projection. Triplet epochs then fine-tune the Dense layer like any head.
 */
export function buildWhitenedHead({ inputShape, embeddingSize, whitening }: WhitenedHeadOptions): tf.LayersModel {
  if (inputShape.length !== 1 && inputShape.length !== 3) {
    throw new RangeError(`buildWhitenedHead expects a [c] vector or an [h, w, c] feature map, got [${inputShape}]`);
  }
  const channels = inputShape[inputShape.length - 1];
  if (!Number.isInteger(embeddingSize) || embeddingSize < 1 || embeddingSize > channels) {
    throw new RangeError(`the whitened head's embedding size must be 1…${channels} (the feature's length), got ${embeddingSize}`);
  }
  if (whitening && (whitening.outputDims !== embeddingSize || whitening.kernel.length !== channels * embeddingSize)) {
    throw new RangeError(`the whitening is ${whitening.kernel.length / whitening.outputDims}→${whitening.outputDims}, the head ${channels}→${embeddingSize}`);
  }
  const input = tf.input({ shape: inputShape, name: 'head_input' });
  let x: tf.SymbolicTensor = input;
  if (inputShape.length === 3) x = tf.layers.globalAveragePooling2d({ name: 'head_avg_pool' }).apply(x) as tf.SymbolicTensor;
  x = new L2Normalize({ name: 'head_input_l2_normalize' }).apply(x) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: embeddingSize, name: 'head_whitening' });
  x = dense.apply(x) as tf.SymbolicTensor;
  if (whitening) {
    const weights = [tf.tensor2d(whitening.kernel, [channels, embeddingSize]), tf.tensor1d(whitening.bias)];
    dense.setWeights(weights); // copies into the layer's variables
    tf.dispose(weights);
  }
  const output = new L2Normalize({ name: 'head_l2_normalize' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'head' });
}

/** Options of {@link buildSiamese}. */
export interface SiameseOptions {
  /** Image → feature model; its (single) output shape must be the head's input shape. */
  backbone: tf.LayersModel;
  /** Feature → embedding model, usually from {@link buildHead}. */
  head: tf.LayersModel;
}

/**
 * Stacks backbone and head into one image → embedding model (finetune mode). The twins of a siamese network
 * share every weight, so one model embeds anchors, positives and negatives alike.
 *
 * Batch-norm layers whose weights are frozen are made to run in inference mode even during a training step, as
 * Keras does since 2.1.3: otherwise the frozen ResNet blocks would normalise with the statistics of a tiny batch
 * and overwrite their pretrained moving averages. The check is made at call time, so freezing after building
 * works. Note that this changes the backbone's layers in place (they are shared, not copied).
 */
export function buildSiamese({ backbone, head }: SiameseOptions): tf.LayersModel {
  const featureShape = backbone.outputs[0].shape.slice(1);
  const headShape = head.inputs[0].shape.slice(1);
  if (featureShape.length !== headShape.length || featureShape.some((d, i) => d !== headShape[i])) {
    throw new RangeError(`backbone features [${featureShape}] do not fit the head input [${headShape}]`);
  }
  keepFrozenBatchNormInInference(backbone);
  const embedding = head.apply(backbone.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: embedding, name: 'siamese' });
}

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * Makes every frozen BatchNormalization layer of `model` (and its nested models) run in inference mode, as
 * Keras does: tfjs would otherwise update a frozen layer's moving statistics whenever `training` is true.
 * Idempotent; needed on any stacked model that trains, including one loaded back from a checkpoint.
 */
export function keepFrozenBatchNormInInference(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      keepFrozenBatchNormInInference(layer);
    } else if (layer.getClassName() === 'BatchNormalization') {
      const patched = layer as unknown as { call: LayerCall; frozenBnPatched?: boolean };
      if (patched.frozenBnPatched) continue;
      const original = patched.call.bind(layer);
      // trainableWeights is empty both when the layer is frozen and when a parent model froze its weights.
      patched.call = (inputs, kwargs) =>
        original(inputs, layer.trainableWeights.length === 0 ? { ...kwargs, training: false } : kwargs);
      patched.frozenBnPatched = true;
    }
  }
}
