/**
 * One tfjs-wasm engine in a worker thread, for scripts/bench-embed.ts's pool: builds the model named in
 * workerData (the same weights as the main thread's: bundled, or seeded random), then answers each posted batch
 * (preprocessed NHWC floats) with its outputs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/ml/backend.ts';
import { benchModel, type BenchModelSpec } from './bench-embed-models.ts';

await initBackend({ force: 'wasm' });
const { backbone } = await benchModel((workerData as { spec: BenchModelSpec }).spec);
parentPort!.on('message', (m: { id: number; x: Float32Array; n: number }) => {
  const y = tf.tidy(() => backbone.model.predict(tf.tensor4d(m.x, [m.n, backbone.inputSize, backbone.inputSize, 3])) as tf.Tensor);
  const features = y.dataSync() as Float32Array;
  y.dispose();
  parentPort!.postMessage({ id: m.id, features }, [features.buffer as ArrayBuffer]);
});
parentPort!.postMessage({ ready: true });
