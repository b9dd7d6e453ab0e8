/**
 * Lab: one head epoch of the original MLP head on 1280-d features (1 000 triplets, batch 32, hard mining), as
 * bench:train times it, for `node --cpu-prof`:
 *   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx scripts/lab/head-epoch-profile.ts
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src-main/ml/backend.ts';
import { buildHead } from '../../src-main/ml/head.ts';
import { trainTriplets } from '../../src-main/ml/train-loop.ts';

await initBackend();
const pairs = 1000;
const left = tf.randomNormal([pairs, 1280], 0, 1, 'float32', 1);
const right = tf.randomNormal([pairs, 1280], 0, 1, 'float32', 2);
const model = buildHead({ inputShape: [1280], pooling: 'avg', embeddingSize: 256, seed: 1 });
const ids = Array.from({ length: pairs }, (_, i) => i);
for (const label of ['warm-up', 'timed']) {
  const t0 = performance.now();
  await trainTriplets({
    model, trainPairs: ids, valPairs: [], epochs: 1, batchSize: 32, mining: 'hard', seed: 1,
    inputsFor: (p, side) => tf.gather(side === 'left' ? left : right, tf.tensor1d(p, 'int32')),
  });
  console.log(label, ((performance.now() - t0) / 1000).toFixed(2), 's');
}
