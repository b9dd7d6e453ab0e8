import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { normalise, type Backbone, type BackboneEntry, type Normalisation } from './backbone.ts';

/**
 * The last layer nsfwjs's MobileNetV2 shares with Keras's `MobileNetV2(include_top=False)`: everything after it
 * is nsfwjs's own classifier (7×7 average pool, flatten, three dense layers for its five classes).
 */
const LAST_BACKBONE_LAYER = 'out_relu';
/** The name Keras gives the pooling layer of `MobileNetV2(include_top=False, pooling='avg')`. */
const FEATURE_LAYER = 'global_average_pooling2d';
/**
 * Blocks 14–16 are the last three inverted residual blocks, the ones working at 7×7 (block 13 is the stride-2
 * step into that resolution). Their 160/320-channel features are the most specific to what the net was trained
 * on, so they are the ones worth adapting to brand images, and they are cheap to backpropagate through on a CPU.
 * (nsfwjs's authors fine-tuned from `block_11_expand`; with a few hundred pairs fewer free weights overfit less.)
 */
const FREEZE_BEFORE = 'block_14_expand';
/** Five stride-2 stages: smaller inputs would leave nothing to pool. */
const MIN_INPUT_SIZE = 32;
/** The input side the weights were trained at. */
const INPUT_SIZE = 224;

/** nsfwjs feeds this model 0–255 divided by 255, not Keras's usual [-1, 1]: its classifier was trained that way. */
const NORMALISATION: Normalisation = {
  channelOrder: 'RGB',
  mean: [0, 0, 0],
  std: [255, 255, 255],
  range: [0, 1],
  formula: 'x = rgb / 255 (nsfwjs trained this MobileNetV2 on 0–1 inputs, not Keras’s −1…1)',
};

/** Options of {@link loadMobileNetV2}. */
export interface MobileNetV2Options {
  /** Square input side in pixels; the weights were trained at 224. */
  inputSize?: number;
}

/** Layer entry of a Keras `Model` config as tfjs serialises it. */
interface LayerConfig {
  class_name: string;
  name?: string;
  config: { name: string; trainable?: boolean; batch_input_shape?: (number | null)[]; [key: string]: unknown };
  inbound_nodes: unknown[];
}

/** A Keras functional `Model` config, as found under `modelTopology.model_config`. */
interface KerasModelConfig {
  class_name: string;
  config: { name: string; layers: LayerConfig[]; output_layers: unknown[]; [key: string]: unknown };
}

/** The two files nsfwjs bundles the model into, and the package they come from. */
interface NsfwjsModelFiles {
  modelJs: string;
  weightsJs: string;
  version: string;
}

/** True when nsfwjs and its bundled MobileNetV2 are on disk, i.e. {@link loadMobileNetV2} can work offline. */
export function mobileNetV2Available(): boolean {
  try {
    const files = locateNsfwjsModel();
    return fs.existsSync(files.modelJs) && fs.existsSync(files.weightsJs);
  } catch {
    return false;
  }
}

/**
 * MobileNetV2 with the ImageNet-derived weights nsfwjs ships (read from its package, never fetched), cut to a
 * Keras-style `include_top=False, pooling='avg'` feature extractor: [n, size, size, 3] → [n, 1280].
 * Every layer comes back trainable; the trainer freezes what lies before {@link Backbone.freezeBefore}.
 */
export async function loadMobileNetV2(options: MobileNetV2Options = {}): Promise<Backbone> {
  const inputSize = options.inputSize ?? INPUT_SIZE;
  if (!Number.isInteger(inputSize) || inputSize < MIN_INPUT_SIZE) {
    throw new RangeError(`MobileNetV2 input size must be an integer ≥ ${MIN_INPUT_SIZE}, got ${inputSize}`);
  }
  const files = locateNsfwjsModel();
  const model = await tf.loadLayersModel(bundledModelHandler(files, inputSize));
  return {
    id: 'mobilenetv2',
    inputSize,
    preprocess: (rgb255) => normalise(rgb255, NORMALISATION),
    model,
    featureLayer: FEATURE_LAYER,
    freezeBefore: FREEZE_BEFORE,
    weightsSource: `nsfwjs@${files.version} mobilenet_v2`,
  };
}

/**
 * Recipes measured untrained on the real evaluation sets (docs/feature-recipes.md: scripts/measure-features.ts,
 * brands and icons test splits, 68 pairs each, R@1; `final` is 0.449 mean there). Each freeze point is the block whose input is ONE
 * tensor (a residual block's input feeds both its expand conv and its add), so partial training can cache it.
 * Blocks 9–13 are the 14×14 stage (mid-level shapes), block 15 the 7×7 stage.
 */
const MOBILENETV2_RECIPES = {
  'mid-multi-gem-polarity': {
    layers: ['block_9_add', 'block_11_add', 'block_12_add', 'block_13_project_BN'], pooling: 'gem', gemP: 3, colour: 'polarity', inputSize: 224,
    freezeBefore: 'block_9_expand',
    help: 'blocks 9–13 GeM-pooled and concatenated, polarity-normalised grey: docs/feature-recipes.md’s recommendation (mean R@1 0.691 test, best on the train split).',
  },
  'mid-gem-polarity': {
    layers: ['block_11_add'], pooling: 'gem', gemP: 3, colour: 'polarity', inputSize: 224, freezeBefore: 'block_11_expand',
    help: 'block_11_add, GeM p=3, polarity-normalised grey: the best mean R@1 untrained (brands 0.765, icons 0.632).',
  },
  'mid-multi-gem-grey': {
    layers: ['block_9_add', 'block_11_add', 'block_12_add', 'block_13_project_BN'], pooling: 'gem', gemP: 3, colour: 'grey', inputSize: 224,
    freezeBefore: 'block_9_expand',
    help: 'blocks 9–13 GeM-pooled, each L2-normalised, concatenated; greyscale (brands 0.721, icons 0.647 untrained).',
  },
  'mid-multi-gem-colour': {
    layers: ['block_9_add', 'block_11_add', 'block_12_add', 'block_13_project_BN'], pooling: 'gem', gemP: 3, colour: 'colour', inputSize: 224,
    freezeBefore: 'block_9_expand',
    help: 'blocks 9–13 GeM-pooled and concatenated, in colour, for domains where colour tells things apart (brands 0.706, icons 0.647).',
  },
  'late-max-grey': {
    layers: ['block_15_add'], pooling: 'max', colour: 'grey', inputSize: 224, freezeBefore: 'block_15_expand',
    help: 'block_15_add max-pooled, greyscale: the first mid-layer recipe tried on the held-out brands (R@1 0.69 there).',
  },
} as const satisfies BackboneEntry['recipes'];

/** The offline backbone: it ships with the app inside the nsfwjs package. */
export const MOBILENETV2: BackboneEntry = {
  id: 'mobilenetv2',
  label: 'MobileNetV2',
  help: 'mobilenetv2: offline, ships with the app (nsfwjs’s ImageNet-derived weights); 1280 average-pooled features.',
  inputSize: INPUT_SIZE,
  minInputSize: MIN_INPUT_SIZE,
  normalisation: NORMALISATION,
  features: { layer: FEATURE_LAYER, shape: 'vector' },
  recipes: MOBILENETV2_RECIPES,
  freezeBefore: FREEZE_BEFORE,
  weights: { kind: 'bundled', source: 'nsfwjs mobilenet_v2' },
  load: ({ inputSize }) => loadMobileNetV2({ inputSize }),
};

function locateNsfwjsModel(): NsfwjsModelFiles {
  // The package's `exports` map hides both its package.json and the model files, so walk up from its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('nsfwjs'));
  while (!fs.existsSync(path.join(dir, 'package.json')) || readJson(path.join(dir, 'package.json')).name !== 'nsfwjs') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nsfwjs package root not found');
    dir = parent;
  }
  const modelDir = path.join(dir, 'dist', 'models', 'mobilenet_v2');
  return {
    modelJs: path.join(modelDir, 'model.min.js'),
    weightsJs: path.join(modelDir, 'group1-shard1of1.min.js'),
    version: String(readJson(path.join(dir, 'package.json')).version),
  };
}

function readJson(file: string): { name?: string; version?: string } {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
}

/**
 * An IOHandler over nsfwjs's bundle: `model.min.js` exports the Keras model.json, `group1-shard1of1.min.js` the
 * weight shard as base64 (how nsfwjs itself loads them, minus the dynamic import and the browser globals).
 * The topology is edited to Keras's notop form so `inputSize` can differ from 224 and the classifier's weights
 * are never loaded.
 */
function bundledModelHandler(files: NsfwjsModelFiles, inputSize: number): tf.io.IOHandler {
  return {
    async load() {
      const bundle = requireOnce(files.modelJs) as {
        modelTopology: { model_config: KerasModelConfig };
        weightsManifest: tf.io.WeightsManifestConfig;
      };
      const shard = requireOnce(files.weightsJs) as string;
      const modelTopology = notopTopology(bundle.modelTopology.model_config, inputSize);
      const keptLayers = new Set(modelTopology.config.layers.map((layer) => layer.config.name));
      const { weightSpecs, weightData } = keepWeights(
        bundle.weightsManifest, Buffer.from(shard, 'base64'), (name) => keptLayers.has(name.split('/')[0]));
      return { modelTopology, weightSpecs, weightData, format: 'layers-model', generatedBy: 'nsfwjs' };
    },
  };
}

/** Loads a bundle file without keeping its multi-megabyte string in the require cache for the process's life. */
function requireOnce(file: string): unknown {
  const require = createRequire(import.meta.url);
  try {
    return require(file);
  } finally {
    delete require.cache[require.resolve(file)];
  }
}

/**
 * Keras's `MobileNetV2(include_top=False, pooling='avg')` cut from nsfwjs's model: layers up to `out_relu`, an
 * input of the requested size, and a global average pool where nsfwjs has a fixed 7×7 pool (identical at 224).
 */
function notopTopology(modelConfig: KerasModelConfig, inputSize: number): KerasModelConfig {
  const layers = modelConfig.config.layers;
  const last = layers.findIndex((layer) => layer.config.name === LAST_BACKBONE_LAYER);
  if (last < 0) throw new Error(`nsfwjs MobileNetV2 has no layer ${LAST_BACKBONE_LAYER}`);
  const kept: LayerConfig[] = layers.slice(0, last + 1).map((layer) => ({
    ...layer,
    // nsfwjs's training froze the first 98 layers; a backbone arrives neutral and the trainer decides.
    config: {
      ...layer.config,
      trainable: true,
      ...(layer.class_name === 'InputLayer' ? { batch_input_shape: [null, inputSize, inputSize, 3] } : {}),
    },
  }));
  kept.push({
    class_name: 'GlobalAveragePooling2D',
    name: FEATURE_LAYER,
    config: { name: FEATURE_LAYER, trainable: true, data_format: 'channels_last' },
    inbound_nodes: [[[LAST_BACKBONE_LAYER, 0, 0, {}]]],
  });
  return {
    ...modelConfig,
    config: { ...modelConfig.config, name: 'mobilenetv2_notop', layers: kept, output_layers: [[FEATURE_LAYER, 0, 0]] },
  };
}

/** Bytes one stored value takes: quantised weights are stored as 1- or 2-byte integers. */
function bytesPerValue(spec: tf.io.WeightsManifestEntry): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  if (stored === 'uint8' || stored === 'bool') return 1;
  if (stored === 'uint16' || stored === 'float16') return 2;
  return 4;
}

/** The specs and bytes of the weights `keep` accepts, from a manifest whose groups are stored back to back. */
function keepWeights(manifest: tf.io.WeightsManifestConfig, data: Buffer, keep: (name: string) => boolean) {
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const spec of manifest.flatMap((group) => group.weights)) {
    const size = spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec);
    if (keep(spec.name)) {
      weightSpecs.push(spec);
      chunks.push(data.subarray(offset, offset + size));
    }
    offset += size;
  }
  if (offset !== data.byteLength) {
    throw new Error(`nsfwjs weight shard holds ${data.byteLength} bytes, its manifest describes ${offset}`);
  }
  const joined = Buffer.concat(chunks);
  return { weightSpecs, weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) };
}
