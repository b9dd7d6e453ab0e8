import * as tf from '@tensorflow/tfjs';
import { applyColourHandling } from '../ml/colour-handling.ts';
import type { Normalisation } from '../ml/backbones/backbone.ts';
import { backboneEntry, recipeFor } from '../ml/backbones/registry.ts';
import type { BackboneId, ColourHandling, FeatureRecipeId } from '../../src-shared/train-options.ts';

/**
 * What the exported model expects as input. A backbone's normalisation runs before the model and is not one of
 * its layers (a tfjs layer for it would need a custom class, and a Keras user would expect the usual formula), so
 * it is written down here, from the backbone's registry entry (the same record training and queries normalise
 * with), and checked against the real thing at export time.
 */
export interface PreprocessingSpec {
  backbone: BackboneId;
  /** `[batch, height, width, channels]`; batch is free. */
  inputShape: [null, number, number, 3];
  dtype: 'float32';
  layout: 'NHWC';
  /** How Lookalike turns an image file into the 0–255 RGB pixels below. */
  image: {
    resize: string;
    background: string;
    notes: string;
    /**
     * What the run's feature recipe does to colour before normalisation (src-main/ml/colour-handling.ts):
     * `colour` nothing; `grey` Rec. 601 luma on all 3 channels; `polarity` grey, inverted when the 4-px border's
     * mean is below 128, then stretched to 0–255.
     */
    colour: ColourHandling;
  };
  /** input = (pixels in `channelOrder`, 0–255 − mean) / std, per channel. */
  normalisation: Normalisation;
  output: {
    dim: number;
    l2Normalised: true;
    similarity: string;
  };
  /** Layer classes the model uses that tfjs does not define: register them before `tf.loadLayersModel`. */
  customLayers: string[];
}

/** The input description of a run's exported model. */
export function preprocessingSpec(backbone: BackboneId, inputSize: number, dim: number, features: FeatureRecipeId = 'final'): PreprocessingSpec {
  const { normalisation } = backboneEntry(backbone);
  const recipe = recipeFor(backbone, features);
  return {
    backbone,
    inputShape: [null, inputSize, inputSize, 3],
    dtype: 'float32',
    layout: 'NHWC',
    image: {
      resize: `fit the whole image inside ${inputSize}×${inputSize} keeping its aspect ratio (sharp fit "contain"), padding with white`,
      background: 'transparent areas flattened onto white (#ffffff); alpha dropped',
      notes: 'EXIF orientation applied first; sRGB; values are 0–255 floats before normalisation',
      colour: recipe?.colour ?? 'colour',
    },
    normalisation: { ...normalisation },
    output: {
      dim,
      l2Normalised: true,
      similarity: 'cosine similarity = dot product of two outputs; the run’s tau (config.json) is its match threshold',
    },
    customLayers: recipe ? ['L2Normalize', 'RecipePool'] : ['L2Normalize'],
  };
}

/**
 * Applies a spec's normalisation to 0–255 RGB pixels [n, h, w, 3], written from the JSON's words alone (as a user
 * of the export would), so a test can hold it against the training path. Call inside tf.tidy.
 */
export function applyPreprocessing(rgb255: tf.Tensor4D, spec: PreprocessingSpec): tf.Tensor4D {
  const { channelOrder, mean, std } = spec.normalisation;
  // The recipe's colour handling comes first, as in training and queries (a polarity run sees grey, stretched).
  const handled = spec.image.colour === 'colour' ? rgb255 : applyColourHandling(rgb255, spec.image.colour);
  const ordered = channelOrder === 'BGR' ? tf.reverse(handled, -1) : handled;
  return tf.div(tf.sub(ordered, tf.tensor1d(mean)), tf.tensor1d(std));
}
