/**
 * The offline backbones as multi-output feature extractors, for measuring which layer works best untrained.
 * MobileNetV2 comes from the app's own loader (src-main, read-only); nsfwjs's InceptionV3 has no loader in the
 * app yet, so a minimal one lives here: the same bundle format as nsfwjs's MobileNetV2 (model.min.js holds the
 * Keras model.json, group1-shardNof6.min.js the weight shards as base64).
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadMobileNetV2 } from '../../src-main/ml/backbones/mobilenetv2.ts';

export const FEATURE_BACKBONES = ['mobilenetv2', 'inceptionv3'] as const;
export type FeatureBackboneId = (typeof FEATURE_BACKBONES)[number];

/** A backbone cut at several layers at once: one forward pass gives every layer's map. */
export interface MultiLayerExtractor {
  id: FeatureBackboneId;
  inputSize: number;
  layers: readonly string[];
  /** RGB 0–255 → one feature map per entry of `layers`. Caller disposes. */
  maps(rgb255: tf.Tensor4D): tf.Tensor4D[];
  weightsSource: string;
  dispose(): void;
}

/**
 * MobileNetV2 layers worth pooling: the output of every inverted-residual block from 9 on (`_add` where the
 * block has a skip connection, else its `_project_BN`), and `out_relu`, whose average is the app's default.
 */
export const MOBILENET_LAYERS = [
  'block_9_add', 'block_10_project_BN', 'block_11_add', 'block_12_add', 'block_13_project_BN',
  'block_14_add', 'block_15_add', 'block_16_project_BN', 'out_relu',
] as const;
/** InceptionV3's block outputs, Keras names: mixed0–2 at 35×35, mixed3–7 at 17×17, mixed8–10 at 8×8 (299 input). */
export const INCEPTION_LAYERS = ['mixed2', 'mixed3', 'mixed4', 'mixed5', 'mixed6', 'mixed7', 'mixed8', 'mixed9', 'mixed10'] as const;

export async function loadExtractor(id: FeatureBackboneId, inputSize: number): Promise<MultiLayerExtractor> {
  const { model, layers, weightsSource } = id === 'mobilenetv2'
    ? await mobileNet(inputSize)
    : await inception(inputSize);
  const cut = tf.model({ inputs: model.inputs, outputs: layers.map((name) => model.getLayer(name).output as tf.SymbolicTensor) });
  return {
    id, inputSize, layers, weightsSource,
    // nsfwjs feeds both of its models 0–255 divided by 255.
    maps: (rgb255) => tf.tidy(() => {
      const out = cut.predict(tf.div(rgb255, 255));
      return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
    }),
    dispose: () => model.dispose(),
  };
}

async function mobileNet(inputSize: number) {
  const backbone = await loadMobileNetV2({ inputSize });
  return { model: backbone.model, layers: MOBILENET_LAYERS, weightsSource: backbone.weightsSource };
}

interface LayerConfig { class_name: string; config: { name: string; batch_input_shape?: unknown; [k: string]: unknown } }

async function inception(inputSize: number) {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('nsfwjs'));
  while (!fs.existsSync(path.join(dir, 'dist', 'models', 'inception_v3'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nsfwjs InceptionV3 not found in node_modules');
    dir = parent;
  }
  const modelDir = path.join(dir, 'dist', 'models', 'inception_v3');
  const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const bundle = require(path.join(modelDir, 'model.min.js')) as {
    modelTopology: { model_config: { config: { layers: LayerConfig[]; output_layers: unknown; [k: string]: unknown }; [k: string]: unknown } };
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const shards = bundle.weightsManifest[0].paths.map((p) => Buffer.from(require(path.join(modelDir, `${p}.min.js`)) as string, 'base64'));
  const data = Buffer.concat(shards);
  const last = 'mixed10';
  const all = bundle.modelTopology.model_config.config.layers;
  const end = all.findIndex((l) => l.config.name === last);
  // Keras's InceptionV3(include_top=False): up to mixed10, any input size ≥ 75.
  const layers = all.slice(0, end + 1).map((l) => l.class_name === 'InputLayer'
    ? { ...l, config: { ...l.config, batch_input_shape: [null, inputSize, inputSize, 3] } } : l);
  const kept = new Set(layers.map((l) => l.config.name));
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const spec of bundle.weightsManifest.flatMap((g) => g.weights)) {
    const bytes = spec.quantization?.dtype === 'uint8' ? 1 : spec.quantization?.dtype ? 2 : 4;
    const size = spec.shape.reduce((a, b) => a * b, 1) * bytes;
    if (kept.has(spec.name.split('/')[0])) { weightSpecs.push(spec); chunks.push(data.subarray(offset, offset + size)); }
    offset += size;
  }
  if (offset !== data.byteLength) throw new Error(`InceptionV3 shards hold ${data.byteLength} bytes, the manifest ${offset}`);
  const joined = Buffer.concat(chunks);
  const modelTopology = {
    ...bundle.modelTopology.model_config,
    config: { ...bundle.modelTopology.model_config.config, layers, output_layers: [[last, 0, 0]] },
  };
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology, weightSpecs, format: 'layers-model',
      weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength),
    }),
  });
  return { model, layers: INCEPTION_LAYERS, weightsSource: `nsfwjs@${version} inception_v3` };
}
