/**
 * Untrained retrieval of a backbone feature recipe on a paired folder, through the app's own loading path
 * (loadBackbone with the recipe: its layers, pooling, input size and colour handling) and metric code: each
 * right image ranked against the left images. Prints one JSON object. Checks that a registry recipe gives what
 * scripts/measure-features.ts measured for it.
 *
 *   npx tsx scripts/measure-untrained-recipe.ts FOLDER [--backbone mobilenetv2] [--features RECIPE]
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/ml/backend.ts';
import { readImageBatch } from '../src-main/ml/image-tensor.ts';
import { scorePairedSets } from '../src-main/ml/metrics/score-paired-sets.ts';
import { embeddingSimilarity } from '../src-main/ml/vectors.ts';
import { loadBackbone } from '../src-main/model-store/load-backbone.ts';
import type { BackboneId, FeatureRecipeId } from '../src-shared/train-options.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { backbone: { type: 'string', default: 'mobilenetv2' }, features: { type: 'string', default: 'final' } } });
const folder = positionals[0];
if (!folder) throw new Error('usage: measure-untrained-recipe.ts FOLDER [--backbone B] [--features RECIPE]');
await initBackend();
const backbone = await loadBackbone(values.backbone as BackboneId, undefined, {}, () => {}, values.features as FeatureRecipeId);
const names = (await readdir(path.join(folder, 'left'))).sort();
async function embed(side: 'left' | 'right'): Promise<{ data: Float32Array; dim: number }> {
  const parts: Float32Array[] = [];
  for (let i = 0; i < names.length; i += 8) {
    const raw = await readImageBatch(names.slice(i, i + 8).map((n) => path.join(folder, side, n)), backbone.inputSize);
    const y = tf.tidy(() => {
      const f = backbone.model.predict(backbone.preprocess(raw)) as tf.Tensor;
      const v = f.rank === 4 ? tf.mean(f, [1, 2]) : f;
      return tf.div(v, tf.maximum(tf.norm(v, 2, -1, true), 1e-12));
    });
    parts.push((await y.data()) as Float32Array);
    tf.dispose([raw, y]);
  }
  const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return { data, dim: data.length / names.length };
}
const left = await embed('left');
const right = await embed('right');
const { scores } = scorePairedSets(names.length, embeddingSimilarity(right.data, left.data, left.dim));
console.log(JSON.stringify({ folder, backbone: backbone.id, features: values.features, inputSize: backbone.inputSize, pairs: names.length, recall: scores.recall, mrr: scores.mrr }));
backbone.model.dispose();
