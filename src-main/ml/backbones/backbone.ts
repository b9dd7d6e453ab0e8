import * as tf from '@tensorflow/tfjs';
import type { BackboneId, ColourHandling, FeatureRecipeId, RecipePooling } from '../../../src-shared/train-options.ts';
import type { DownloadProgress, WeightsFileSpec } from './weights-cache.ts';

export type { BackboneId };

/**
 * A pretrained feature extractor, whatever its origin (Keras HDF5, a tfjs LayersModel shipped in a package).
 * Everything a trainer needs to feed it and to decide which layers learn.
 */
export interface Backbone {
  readonly id: BackboneId;
  /** Square input side in pixels (the original notebook uses 200 for ResNet50). */
  readonly inputSize: number;
  /**
   * Turns a batch of RGB images with values in 0–255 (float32, [n, size, size, 3]) into the network's input:
   * {@link normalise} with the backbone's registered {@link Normalisation}, the one the export documents.
   * Returns a new tensor.
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
  /** The feature recipe the model's output follows; absent = `final` (the backbone's own feature, colour). */
  readonly recipe?: FeatureRecipeId;
  /**
   * Set when `model` is only the frozen prefix of the backbone (partial mode): the layer whose activation it
   * outputs. Part of the feature-cache key, so prefix activations never pass for features.
   */
  readonly cutAt?: string;
}

/**
 * Which features of a backbone a run uses, as data: the layer(s), how each is pooled (every part L2-normalised,
 * then concatenated in the order listed and normalised again), the input size, the colour handling, and where
 * finetune/partial training starts when the recipe's layers lie before the backbone's own freeze point.
 */
export interface FeatureRecipe {
  /** Keras layer names, in concatenation order. */
  readonly layers: readonly string[];
  readonly pooling: RecipePooling;
  /** GeM's exponent (3 in Radenović et al. 2018); only with `pooling: 'gem'`. */
  readonly gemP?: number;
  readonly colour: ColourHandling;
  /** The input side this recipe was measured at, used when a run does not ask for another. */
  readonly inputSize?: number;
  /** Overrides the entry's freeze point: it must be a layer at or before the recipe's last layer. */
  readonly freezeBefore?: string;
  /** One sentence: what it is and what it measured (docs/feature-recipes.md). */
  readonly help: string;
}

/**
 * How 0–255 RGB pixels become the network's input: `(pixels in channelOrder − mean) / std`, per channel. Data,
 * not code, so that training, queries and the exported model's documentation read the same numbers.
 */
export interface Normalisation {
  channelOrder: 'RGB' | 'BGR';
  mean: [number, number, number];
  std: [number, number, number];
  /** The value range the model sees after normalisation (for the export's documentation). */
  range: [number, number] | string;
  /** The formula in words, with where it comes from. */
  formula: string;
}

/** Applies a normalisation to 0–255 RGB pixels [n, h, w, 3]; returns a new tensor. */
export function normalise(rgb255: tf.Tensor4D, n: Normalisation): tf.Tensor4D {
  return tf.tidy(() => {
    const ordered = n.channelOrder === 'BGR' ? tf.reverse(rgb255, -1) : rgb255;
    return tf.div(tf.sub(ordered, tf.tensor1d(n.mean)), tf.tensor1d(n.std));
  });
}

/** Where a backbone's weights may come from (for those that need a file). */
export interface WeightsOptions {
  /** An explicit weights file (`--weights FILE`). */
  weightsPath?: string;
  /** The app's cache folder for downloaded weights. */
  cacheDir?: string;
  /** Only with the user's consent (`--download-weights`): such files are large. */
  allowDownload?: boolean;
  onDownload?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** What a backbone's loader is given. */
export interface BackboneLoadOptions extends WeightsOptions {
  inputSize: number;
}

/**
 * Everything Lookalike knows about one backbone, in one record: how to load it, what it expects, what it gives,
 * which layers may learn. Registered in registry.ts; see docs/adding-a-backbone.md.
 */
export interface BackboneEntry {
  readonly id: BackboneId;
  /** Shown in --help and the app. */
  readonly label: string;
  /** One sentence: where it comes from, what it costs. */
  readonly help: string;
  /** The square input side it was trained at, used when a run does not ask for another. */
  readonly inputSize: number;
  /** Smaller inputs would leave nothing to pool after its strided stages. */
  readonly minInputSize: number;
  readonly normalisation: Normalisation;
  /**
   * The feature recipe: the layer whose output is the feature, and whether that output is a spatial map
   * (`map`, [h, w, c]: the head flattens or average-pools it) or already a pooled vector (`vector`, [c]).
   */
  readonly features: { layer: string; shape: 'map' | 'vector' };
  /**
   * Other feature recipes than `final` (which is `features` above, in colour). A run's `--features` must name one
   * of these or `final`.
   */
  readonly recipes?: Partial<Record<Exclude<FeatureRecipeId, 'final'>, FeatureRecipe>>;
  /** Finetune mode freezes every layer before this one. */
  readonly freezeBefore: string;
  /** `bundled`: ships with the app (offline); `file`: a weights file that must be found or downloaded. */
  readonly weights: { kind: 'bundled'; source: string } | { kind: 'file'; file: WeightsFileSpec; sizeMb: number };
  /** Builds the model. Throws a `WeightsError` (code `WEIGHTS_MISSING`, …) when a needed weights file is absent. */
  load(options: BackboneLoadOptions): Promise<Backbone>;
}
