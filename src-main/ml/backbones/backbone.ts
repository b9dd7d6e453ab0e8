import type * as tf from '@tensorflow/tfjs';

/** Identifiers of the feature extractors Lookalike can train on. */
export type BackboneId = 'resnet50' | 'mobilenetv2';

/**
 * A pretrained feature extractor, whatever its origin (Keras HDF5, a tfjs LayersModel shipped in a package).
 * Everything a trainer needs to feed it and to decide which layers learn.
 */
export interface Backbone {
  readonly id: BackboneId;
  /** Square input side in pixels (the original notebook uses 200 for ResNet50). */
  readonly inputSize: number;
  /**
   * Turns a batch of RGB images with values in 0–255 (float32, [n, size, size, 3]) into the network's input.
   * Must be called inside the caller's tf.tidy; returns a new tensor.
   */
  preprocess(rgb255: tf.Tensor4D): tf.Tensor4D;
  /** Input → feature layer output (no classifier top). */
  readonly model: tf.LayersModel;
  /** Keras-style name of the layer whose output is the feature map/vector. */
  readonly featureLayer: string;
  /** In finetune mode every layer before this one stays frozen (the original: `conv4_block1_out`). */
  readonly freezeBefore: string;
  /** Where the weights came from (a path, a package, "random"), recorded on the run. */
  readonly weightsSource: string;
}
