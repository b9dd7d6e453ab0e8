/**
 * How much caching partial mode's prefix activations as float16 loses, on real images: the max abs error of
 * the activations themselves and of what the (untrained) suffix makes of them, i.e. the backbone's final
 * feature. Prints one JSON object.
 *
 *   npx tsx scripts/measure-fp16-cache.ts DIR [--size 224] [--limit 64] [--cut block_14_expand]
 */
import * as tf from '@tensorflow/tfjs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/ml/backend.ts';
import { readImageBatch } from '../src-main/ml/image-tensor.ts';
import { decodeHalves, encodeHalves } from '../src-main/catalog/float16.ts';
import { splitBackbone } from '../src-main/ml/backbones/split-backbone.ts';
import { loadBackbone } from '../src-main/model-store/load-backbone.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { size: { type: 'string', default: '224' }, limit: { type: 'string', default: '64' }, cut: { type: 'string' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: measure-fp16-cache.ts DIR_OF_IMAGES');
await initBackend();
const size = Number(values.size);
const backbone = await loadBackbone('mobilenetv2', size, {}, () => {});
const { prefix, suffix, cutLayer } = splitBackbone(backbone.model, values.cut ?? backbone.freezeBefore);
const files = (await readdir(dir)).sort().slice(0, Number(values.limit)).map((f) => path.join(dir, f));
let actErr = 0, actMax = 0, featErr = 0, featMax = 0, cosMin = 1;
for (let i = 0; i < files.length; i += 8) {
  const raw = await readImageBatch(files.slice(i, i + 8), size);
  const act = tf.tidy(() => prefix.predict(backbone.preprocess(raw)) as tf.Tensor);
  const a = (await act.data()) as Float32Array;
  const h = decodeHalves(encodeHalves(a));
  for (let j = 0; j < a.length; j++) { actErr = Math.max(actErr, Math.abs(a[j] - h[j])); actMax = Math.max(actMax, Math.abs(a[j])); }
  const halfAct = tf.tensor(h, act.shape);
  const f32 = (await tf.tidy(() => suffix.predict(act) as tf.Tensor).data()) as Float32Array;
  const f16 = (await tf.tidy(() => suffix.predict(halfAct) as tf.Tensor).data()) as Float32Array;
  const dim = f32.length / Math.min(8, files.length - i);
  for (let r = 0; r < f32.length / dim; r++) {
    let dot = 0, n1 = 0, n2 = 0;
    for (let j = r * dim; j < (r + 1) * dim; j++) {
      featErr = Math.max(featErr, Math.abs(f32[j] - f16[j])); featMax = Math.max(featMax, Math.abs(f32[j]));
      dot += f32[j] * f16[j]; n1 += f32[j] ** 2; n2 += f16[j] ** 2;
    }
    cosMin = Math.min(cosMin, dot / Math.sqrt(n1 * n2));
  }
  tf.dispose([raw, act, halfAct]);
}
console.log(JSON.stringify({ images: files.length, size, cut: cutLayer, activation: { max_abs_error: actErr, max_abs_value: actMax },
  final_feature: { max_abs_error: featErr, max_abs_value: featMax, min_cosine_f32_vs_f16: cosMin } }));
