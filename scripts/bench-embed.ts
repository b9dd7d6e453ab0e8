/**
 * Embedding engines side by side, one run: MobileNetV2 @224 (nsfwjs's weights) feature extraction on the
 * sample's real images, as images/s per engine and thread count, plus how far each engine's features are from
 * tfjs's (max |Δ|, the bar for switching engines is 1e-4).
 *
 *   npm run bench:embed -- [--rounds 4] [--batch 8]
 *
 * Engines: `tfjs-wasm` as Lookalike runs today (main thread); `tfjs-wasm-pool` = one tfjs-wasm worker per core,
 * batches dealt round-robin (tfjs-wasm's own threaded binary does not start in Node: setThreadsCount is ignored,
 * and forcing it fails to initialise); `onnxruntime-node` with 1 and with all cores, running the same frozen graph
 * converted by src-main/ml/onnx/layers-to-onnx.ts. Rounds alternate engines so load drift hits all alike;
 * medians are reported. Load average is recorded: the machine may be shared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src-main/ml/backend.ts';
import { loadMobileNetV2 } from '../src-main/ml/backbones/mobilenetv2.ts';
import { readImageBatch } from '../src-main/ml/image-tensor.ts';
import { layersModelToOnnx } from '../src-main/ml/onnx/layers-to-onnx.ts';
import { encodeOnnxModel } from '../src-main/ml/onnx/onnx-proto.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const round = (x: number, d = 2) => Number(x.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Engine = { name: string; threads: number; run: (batches: Float32Array[], n: number) => Promise<Float32Array[]>; close: () => Promise<void> };

const rounds = flag('rounds', 4);
const batch = flag('batch', 8);
const cores = os.availableParallelism();
const loadBefore = os.loadavg();
const backend = await initBackend({ force: 'wasm' });
const backbone = await loadMobileNetV2();
const size = backbone.inputSize;

// Real images: the sample's right-hand look-alikes, preprocessed once (engines compare on the same floats).
const dir = path.resolve('samples/brands/right');
const files = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
const batches: Float32Array[] = [];
for (let b = 0; b + batch <= Math.min(files.length, 4 * batch * cores); b += batch) {
  const raw = await readImageBatch(files.slice(b, b + batch), size);
  const x = tf.tidy(() => backbone.preprocess(raw));
  batches.push(x.dataSync() as Float32Array);
  raw.dispose();
  x.dispose();
}

const tfjsEngine: Engine = {
  name: 'tfjs-wasm',
  threads: backend.threads ?? 1,
  async run(xs, n) {
    return xs.map((x) => tf.tidy(() => (backbone.model.predict(tf.tensor4d(x, [n, size, size, 3])) as tf.Tensor).dataSync() as Float32Array));
  },
  async close() {},
};

async function poolEngine(workers: number): Promise<Engine> {
  const boot = new URL('../src-main/tsx-worker-boot.mjs', import.meta.url);
  const entry = new URL('./bench-embed-worker.ts', import.meta.url).href;
  const pool = await Promise.all(
    Array.from({ length: workers }, () => {
      const w = new Worker(boot, { workerData: { tsEntry: entry } });
      return new Promise<Worker>((resolve, reject) => {
        w.once('message', () => resolve(w));
        w.once('error', reject);
      });
    }),
  );
  let nextId = 0;
  const ask = (w: Worker, x: Float32Array, n: number) =>
    new Promise<Float32Array>((resolve) => {
      const id = nextId++;
      const on = (m: { id: number; features: Float32Array }) => {
        if (m.id !== id) return;
        w.off('message', on);
        resolve(m.features);
      };
      w.on('message', on);
      w.postMessage({ id, x, n });
    });
  return {
    name: 'tfjs-wasm-pool',
    threads: workers,
    async run(xs, n) {
      // Each worker takes every workers-th batch, one at a time, so all cores stay busy.
      const out: Float32Array[] = new Array(xs.length);
      await Promise.all(pool.map(async (w, k) => {
        for (let i = k; i < xs.length; i += workers) out[i] = await ask(w, xs[i], n);
      }));
      return out;
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}

async function onnxEngine(threads: number, model: Uint8Array): Promise<Engine> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
  return {
    name: 'onnxruntime-node',
    threads,
    async run(xs, n) {
      const out: Float32Array[] = [];
      for (const x of xs) {
        const result = await session.run({ input: new ort.Tensor('float32', x, [n, size, size, 3]) });
        out.push(result[session.outputNames[0]].data as Float32Array);
      }
      return out;
    },
    async close() {
      await session.release();
    },
  };
}

const onnxModel = encodeOnnxModel(layersModelToOnnx(backbone.model));
const engines: Engine[] = [tfjsEngine, await poolEngine(cores)];
let onnxError: string | null = null;
try {
  engines.push(await onnxEngine(1, onnxModel), await onnxEngine(cores, onnxModel));
} catch (e) {
  onnxError = (e as Error).message.split('\n')[0]; // onnxruntime-node is optional: report, measure the others
}

const reference = await tfjsEngine.run(batches, batch);
const times = new Map<Engine, number[]>(engines.map((e) => [e, []]));
const maxDiff = new Map<Engine, number>();
for (const e of engines) {
  const out = await e.run(batches, batch); // warm-up, and the feature check
  let d = 0;
  out.forEach((f, i) => f.forEach((v, j) => (d = Math.max(d, Math.abs(v - reference[i][j])))));
  maxDiff.set(e, d);
}
for (let r = 0; r < rounds; r++) {
  for (const e of engines) {
    const t0 = performance.now();
    await e.run(batches, batch);
    times.get(e)!.push(performance.now() - t0);
  }
}
for (const e of engines) await e.close();
const images = batches.length * batch;
const base = images / (median(times.get(tfjsEngine)!) / 1000);
console.log(
  JSON.stringify(
    {
      benchmark: 'feature extraction engines, MobileNetV2 @224, real sample images',
      backend: describeBackend(backend),
      batch,
      imagesPerRound: images,
      rounds,
      onnxruntimeError: onnxError,
      machine: { loadAverageBefore: loadBefore.map((x) => round(x)), loadAverageAfter: os.loadavg().map((x) => round(x)), cores, node: process.version },
      engines: engines.map((e) => {
        const ips = images / (median(times.get(e)!) / 1000);
        return { engine: e.name, threads: e.threads, imagesPerSecond: round(ips, 1), vsTfjsWasm: round(ips / base), maxAbsDiffVsTfjs: Number(maxDiff.get(e)!.toExponential(2)) };
      }),
    },
    null,
    2,
  ),
);
