import * as tf from '@tensorflow/tfjs';
import type { BackboneChoice } from '../../src-shared/training-types.ts';

/**
 * What the exported model expects as input. Each backbone's `preprocess` runs before the model and is not one of
 * its layers (a tfjs layer for it would need a custom class, and a Keras user would expect the usual formula), so
 * it is written down here and checked against the real thing at export time.
 */
export interface PreprocessingSpec {
  backbone: BackboneChoice;
  /** `[batch, height, width, channels]`; batch is free. */
  inputShape: [null, number, number, 3];
  dtype: 'float32';
  layout: 'NHWC';
  /** How Lookalike turns an image file into the 0–255 RGB pixels below. */
  image: {
    resize: string;
    background: string;
    notes: string;
  };
  /** input = (pixels in `channelOrder`, 0–255 − mean) / std, per channel. */
  normalisation: {
    channelOrder: 'RGB' | 'BGR';
    mean: [number, number, number];
    std: [number, number, number];
    /** The value range the model sees after normalisation. */
    range: [number, number] | string;
    formula: string;
  };
  output: {
    dim: number;
    l2Normalised: true;
    similarity: string;
  };
  /** Layer classes the model uses that tfjs does not define: register them before `tf.loadLayersModel`. */
  customLayers: string[];
}

type Normalisation = PreprocessingSpec['normalisation'];

/** Mirrors `preprocess` of src-main/ml/backbones/*.ts; {@link applyPreprocessing} is compared with it on export. */
const NORMALISATION: Record<BackboneChoice, Normalisation> = {
  mobilenetv2: {
    channelOrder: 'RGB',
    mean: [0, 0, 0],
    std: [255, 255, 255],
    range: [0, 1],
    formula: 'x = rgb / 255 (nsfwjs trained this MobileNetV2 on 0–1 inputs, not Keras’s −1…1)',
  },
  resnet50: {
    channelOrder: 'BGR',
    mean: [103.939, 116.779, 123.68],
    std: [1, 1, 1],
    range: 'about −124…152 (0–255 minus the ImageNet means)',
    formula: 'x = bgr − [103.939, 116.779, 123.68] (Keras preprocess_input, mode "caffe": channels reversed to BGR, ImageNet means subtracted, no scaling)',
  },
};

/** The input description of a run's exported model. */
export function preprocessingSpec(backbone: BackboneChoice, inputSize: number, dim: number): PreprocessingSpec {
  return {
    backbone,
    inputShape: [null, inputSize, inputSize, 3],
    dtype: 'float32',
    layout: 'NHWC',
    image: {
      resize: `fit the whole image inside ${inputSize}×${inputSize} keeping its aspect ratio (sharp fit "contain"), padding with white`,
      background: 'transparent areas flattened onto white (#ffffff); alpha dropped',
      notes: 'EXIF orientation applied first; sRGB; values are 0–255 floats before normalisation',
    },
    normalisation: NORMALISATION[backbone],
    output: {
      dim,
      l2Normalised: true,
      similarity: 'cosine similarity = dot product of two outputs; the run’s tau (config.json) is its match threshold',
    },
    customLayers: ['L2Normalize'],
  };
}

/** Applies a spec's normalisation to 0–255 RGB pixels [n, h, w, 3]. Call inside tf.tidy. */
export function applyPreprocessing(rgb255: tf.Tensor4D, spec: PreprocessingSpec): tf.Tensor4D {
  const { channelOrder, mean, std } = spec.normalisation;
  const ordered = channelOrder === 'BGR' ? tf.reverse(rgb255, -1) : rgb255;
  return tf.div(tf.sub(ordered, tf.tensor1d(mean)), tf.tensor1d(std));
}
