import * as tf from '@tensorflow/tfjs';
import { normalise, type Backbone, type BackboneEntry, type Normalisation } from './backbone.ts';
import { loadKerasH5Weights } from './keras-h5-weights.ts';
import { locateWeights, RESNET50_NOTOP_WEIGHTS } from './weights-cache.ts';

/** Keras uses 1.001e-5 (not its 1e-3 default) so that converted Caffe ResNet weights reproduce exactly. */
const BN_EPSILON = 1.001e-5;
/** Keras refuses ResNet50 inputs smaller than 32×32: five stride-2 stages need at least one pixel left. */
const MIN_INPUT_SIZE = 32;
/** The original notebook's input side. */
const INPUT_SIZE = 200;
const FEATURE_LAYER = 'conv5_block3_out';
/** The original's freeze point: conv4 and conv5 learn in finetune mode. */
const FREEZE_BEFORE = 'conv4_block1_out';

/**
 * Keras `preprocess_input` in caffe mode, which is what the ImageNet ResNet50 weights were trained with.
 * Expects RGB values in 0–255. (The original notebook fed 0–1 values here, a bug: after subtracting means of
 * ~100 every image looked almost the same to the network.)
 */
const NORMALISATION: Normalisation = {
  channelOrder: 'BGR',
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  range: 'about −124…152 (0–255 minus the ImageNet means)',
  formula: 'x = bgr − [103.939, 116.779, 123.68] (Keras preprocess_input, mode "caffe": channels reversed to BGR, ImageNet means subtracted, no scaling)',
};

/** Options of {@link buildResNet50}. */
export interface ResNet50Options {
  /** Square input side in pixels; the original notebook uses 200. */
  inputSize?: number;
  /** `imagenet-h5`: Keras's notop HDF5 weights; `random`: Keras's initialisers (Glorot-uniform kernels). */
  weights: 'imagenet-h5' | 'random';
  /**
   * The HDF5 file for `imagenet-h5`. When omitted only `~/.keras/models` (or `$KERAS_HOME/models`) is looked at
   * and nothing is downloaded; callers that offer a download use `locateWeights` first and pass its path.
   */
  h5Path?: string;
  /** Makes `random` weights reproducible. */
  seed?: number;
}

/** A ResNet50 {@link Backbone}, plus which Keras layers received weights from the file (empty for `random`). */
export interface ResNet50Backbone extends Backbone {
  readonly loadedWeightLayers: readonly string[];
}

/**
 * Builds Keras's `ResNet50(include_top=False)` in tfjs-layers, layer for layer and with Keras's layer names, so
 * that Keras's ImageNet HDF5 weights load by name and `conv4_block1_out` means the same thing as in the notebook.
 * Throws a `WeightsError` (code `WEIGHTS_MISSING` / `WEIGHTS_INVALID`) when `imagenet-h5` weights cannot be used.
 */
export async function buildResNet50(options: ResNet50Options): Promise<ResNet50Backbone> {
  const inputSize = options.inputSize ?? INPUT_SIZE;
  if (!Number.isInteger(inputSize) || inputSize < MIN_INPUT_SIZE) {
    throw new RangeError(`ResNet50 input size must be an integer ≥ ${MIN_INPUT_SIZE}, got ${inputSize}`);
  }
  const pretrained = options.weights === 'imagenet-h5';
  // Pretrained kernels are overwritten right away, so skip drawing 23M random numbers for nothing.
  const kernelInit = pretrained ? () => tf.initializers.zeros() : seededGlorot(options.seed);
  const model = resNet50Graph(inputSize, kernelInit);

  let weightsSource = 'random';
  let loadedWeightLayers: string[] = [];
  if (pretrained) {
    try {
      const h5Path = options.h5Path ?? (await locateWeights({ spec: RESNET50_NOTOP_WEIGHTS })).path;
      loadedWeightLayers = (await loadKerasH5Weights(model, h5Path)).loadedLayers;
      weightsSource = h5Path;
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  return {
    id: 'resnet50',
    inputSize,
    model,
    featureLayer: FEATURE_LAYER,
    freezeBefore: FREEZE_BEFORE,
    weightsSource,
    loadedWeightLayers,
    preprocess: (rgb255) => normalise(rgb255, NORMALISATION),
  };
}

/** The original's backbone, with Keras's ImageNet weights (found on this machine, or downloaded with consent). */
export const RESNET50: BackboneEntry = {
  id: 'resnet50',
  label: 'ResNet50',
  help: 'resnet50: the original notebook’s backbone; needs Keras’s ImageNet weights; a 7×7×2048 feature map.',
  inputSize: INPUT_SIZE,
  minInputSize: MIN_INPUT_SIZE,
  normalisation: NORMALISATION,
  features: { layer: FEATURE_LAYER, shape: 'map' },
  freezeBefore: FREEZE_BEFORE,
  weights: { kind: 'file', file: RESNET50_NOTOP_WEIGHTS, sizeMb: 94 },
  async load({ inputSize, weightsPath, cacheDir, allowDownload, onDownload, signal }) {
    const located = await locateWeights({ spec: RESNET50_NOTOP_WEIGHTS, explicitPath: weightsPath, cacheDir, allowDownload, onProgress: onDownload, signal });
    return buildResNet50({ inputSize, weights: 'imagenet-h5', h5Path: located.path });
  },
};

type KernelInit = () => ReturnType<typeof tf.initializers.zeros>;

/** Keras's default kernel initialiser (tfjs defaults to Glorot-normal), one distinct seed per layer. */
function seededGlorot(seed: number | undefined): KernelInit {
  let layerIndex = 0;
  return () => tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed + layerIndex++ });
}

/** The graph of `keras.applications.resnet.ResNet50` with `include_top=False, pooling=None`. */
function resNet50Graph(inputSize: number, kernelInit: KernelInit): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = apply(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }), input);
  x = apply(conv(64, 7, 2, 'valid', 'conv1_conv', kernelInit), x);
  x = apply(batchNorm('conv1_bn'), x);
  x = apply(tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);

  x = stack(x, 64, 3, 1, 'conv2', kernelInit);
  x = stack(x, 128, 4, 2, 'conv3', kernelInit);
  x = stack(x, 256, 6, 2, 'conv4', kernelInit);
  x = stack(x, 512, 3, 2, 'conv5', kernelInit);
  return tf.model({ inputs: input, outputs: x, name: 'resnet50' });
}

/** Keras `stack1`: a projection block that may downsample, then identity blocks. */
function stack(
  x: tf.SymbolicTensor, filters: number, blocks: number, stride: number, name: string, kernelInit: KernelInit,
): tf.SymbolicTensor {
  x = bottleneck(x, filters, stride, true, `${name}_block1`, kernelInit);
  for (let i = 2; i <= blocks; i++) x = bottleneck(x, filters, 1, false, `${name}_block${i}`, kernelInit);
  return x;
}

/**
 * Keras `block1` (ResNet v1): the stride sits on the first 1×1 conv, as in the Caffe model the weights come
 * from. The shortcut layers are created first so that tfjs orders layers as Keras does.
 */
function bottleneck(
  x: tf.SymbolicTensor, filters: number, stride: number, projectShortcut: boolean, name: string,
  kernelInit: KernelInit,
): tf.SymbolicTensor {
  let shortcut = x;
  if (projectShortcut) {
    shortcut = apply(conv(4 * filters, 1, stride, 'valid', `${name}_0_conv`, kernelInit), x);
    shortcut = apply(batchNorm(`${name}_0_bn`), shortcut);
  }
  let y = apply(conv(filters, 1, stride, 'valid', `${name}_1_conv`, kernelInit), x);
  y = apply(batchNorm(`${name}_1_bn`), y);
  y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_1_relu` }), y);
  y = apply(conv(filters, 3, 1, 'same', `${name}_2_conv`, kernelInit), y);
  y = apply(batchNorm(`${name}_2_bn`), y);
  y = apply(tf.layers.activation({ activation: 'relu', name: `${name}_2_relu` }), y);
  y = apply(conv(4 * filters, 1, 1, 'valid', `${name}_3_conv`, kernelInit), y);
  y = apply(batchNorm(`${name}_3_bn`), y);
  const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as tf.SymbolicTensor;
  return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), sum);
}

function conv(
  filters: number, kernelSize: number, strides: number, padding: 'valid' | 'same', name: string,
  kernelInit: KernelInit,
): tf.layers.Layer {
  return tf.layers.conv2d({
    filters, kernelSize, strides, padding, name, useBias: true, kernelInitializer: kernelInit(),
  });
}

function batchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, momentum: 0.99, name });
}

function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}
