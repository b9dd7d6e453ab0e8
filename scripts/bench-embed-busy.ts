/**
 * Keeps one core busy the way a training job does (tfjs-wasm matrix products, head-sized), for
 * scripts/bench-embed.ts's `alongside` rows: how each onnxruntime thread count embeds while training runs beside it.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/ml/backend.ts';

await initBackend({ force: 'wasm' });
const a = tf.randomNormal([64, 1280]);
const w = tf.randomNormal([1280, 512]);
let running = true;
parentPort!.on('message', () => (running = false));
parentPort!.postMessage({ ready: true });
while (running) {
  const y = tf.matMul(a, w);
  await y.data();
  y.dispose();
  await new Promise((resolve) => setImmediate(resolve)); // lets the stop message in
}
parentPort!.postMessage({ stopped: true });
