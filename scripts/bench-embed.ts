/**
 * Embedding engines side by side, one run, as one JSON object `{"engines":[…]}`: images/s of each engine on each
 * model, with how far its features are from tfjs's (max |Δ|; the bar for switching engines is 1e-4), PyTorch's
 * figures for the same arithmetic in the same run (`engine: "pytorch"`, when a Python with torch + torchvision is
 * found), and the file → features pipeline with and without decoding overlapped with the forward pass.
 *
 *   npm run bench:embed -- [--rounds 3] [--batch 8] [--models mobilenetv2,mobilenetv2:mid-multi-gem-polarity,resnet50]
 *                          [--no-pool] [--no-anchor] [--no-pipeline] [--no-alongside]
 *
 * Engines: `tfjs-wasm` as Lookalike ran until now (main thread); `tfjs-wasm-pool` = one tfjs-wasm worker per
 * core, batches dealt round-robin (tfjs-wasm's threaded binary does not start in Node); `onnxruntime-node` with 1
 * and 2 intra-op threads (2 with and without spinning threads), through the app's own engine
 * (src-main/ml/onnx/onnx-engine.ts: the graph converted by layers-to-onnx.ts). Inputs are the sample's real
 * images, preprocessed once, so every engine computes on the same floats. Rounds alternate engines so load drift
 * hits all alike; medians are reported. The load average is recorded: the machine may be shared.
 * `alongside` rows: onnxruntime-node on MobileNetV2 while a worker keeps one core busy with tfjs-wasm matrix
 * products, as a training job in the app's worker would (the thread count has to suit that case too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { storeCachedFeatures } from '../src-main/catalog/feature-cache.ts';
import { openCatalog } from '../src-main/catalog/open-catalog.ts';
import { describeBackend, initBackend } from '../src-main/ml/backend.ts';
import type { Backbone } from '../src-main/ml/backbones/backbone.ts';
import { decodeImageBatch, readImageBatch } from '../src-main/ml/image-tensor.ts';
import { DEFAULT_ONNX_SPINNING, defaultOnnxThreads, frozenForward } from '../src-main/ml/onnx/onnx-engine.ts';
import { cachedFeatures } from '../src-main/model-store/feature-cache.ts';
import { benchModel } from './bench-embed-models.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const round = (x: number, d = 2) => Number(x.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Engine {
  engine: string;
  threads: number;
  spinning?: boolean;
  run: (batches: Float32Array[], n: number) => Promise<Float32Array[]>;
  close: () => Promise<void>;
}

const rounds = Number(flag('rounds', '3'));
const batch = Number(flag('batch', '8'));
const models = flag('models', 'mobilenetv2,mobilenetv2:mid-multi-gem-polarity,resnet50').split(',');
const cores = os.availableParallelism();
const loadBefore = os.loadavg();
const backend = await initBackend({ force: 'wasm' });
const dirs = ['right', 'left'].map((side) => path.resolve('samples/brands', side));
const files = dirs.flatMap((dir) => fs.readdirSync(dir).sort().map((f) => path.join(dir, f)));

function tfjsEngine(backbone: Backbone): Engine {
  const size = backbone.inputSize;
  return {
    engine: 'tfjs-wasm',
    threads: backend.threads ?? 1,
    async run(xs, n) {
      return xs.map((x) => tf.tidy(() => (backbone.model.predict(tf.tensor4d(x, [n, size, size, 3])) as tf.Tensor).dataSync() as Float32Array));
    },
    async close() {},
  };
}

async function poolEngine(spec: string, workers: number): Promise<Engine> {
  const boot = new URL('../src-main/tsx-worker-boot.mjs', import.meta.url);
  const entry = new URL('./bench-embed-worker.ts', import.meta.url).href;
  const pool = await Promise.all(
    Array.from({ length: workers }, () => {
      const w = new Worker(boot, { workerData: { tsEntry: entry, spec } });
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
    engine: 'tfjs-wasm-pool',
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

/** The app's engine (one session per configuration), fed the same tensors the feature cache feeds it. */
async function onnxEngine(backbone: Backbone, threads: number, spinning: boolean): Promise<Engine> {
  const engine = await frozenForward(backbone.model, { threads, spinning });
  if (engine.name !== 'onnxruntime-node') throw new Error(engine.fellBack ?? 'onnxruntime-node is not available');
  const size = backbone.inputSize;
  return {
    engine: 'onnxruntime-node',
    threads,
    spinning,
    async run(xs, n) {
      const out: Float32Array[] = [];
      for (const x of xs) {
        const t = tf.tensor4d(x, [n, size, size, 3]);
        out.push(await engine.forward(t));
        t.dispose();
      }
      return out;
    },
    async close() {},
  };
}

/** A Python that imports torch and torchvision: the shell's python3 (may be pyenv's) or Debian's. */
function torchPython(): string | null {
  if (process.argv.includes('--no-anchor')) return null;
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

type Row = { model: string; engine: string; threads: number; spinning?: boolean; imagesPerSecond: number; vsTfjsWasm: number | null; maxAbsDiffVsTfjs: number | null };
const rows: Row[] = [];
let onnxError: string | null = null;
const anchorsWanted = new Map<string, number>(); // anchor model → images per round

for (const spec of models) {
  const { backbone, anchor, label } = await benchModel(spec);
  const size = backbone.inputSize;
  // ResNet50 is ~6× MobileNetV2's arithmetic: half the images keep the run's length reasonable.
  const perRound = spec.startsWith('resnet50') ? 2 * batch : 4 * batch;
  const batches: Float32Array[] = [];
  for (let b = 0; b + batch <= Math.min(files.length, perRound); b += batch) {
    const raw = await readImageBatch(files.slice(b, b + batch), size);
    const x = tf.tidy(() => backbone.preprocess(raw));
    batches.push(x.dataSync() as Float32Array);
    tf.dispose([raw, x]);
  }
  const reference = tfjsEngine(backbone);
  const engines: Engine[] = [reference];
  if (!process.argv.includes('--no-pool')) engines.push(await poolEngine(spec, cores));
  try {
    engines.push(await onnxEngine(backbone, 1, false), await onnxEngine(backbone, cores, true), await onnxEngine(backbone, cores, false));
  } catch (e) {
    onnxError = (e as Error).message.split('\n')[0]; // onnxruntime-node is optional: report, measure the others
  }
  const expected = await reference.run(batches, batch);
  const times = new Map<Engine, number[]>(engines.map((e) => [e, []]));
  const maxDiff = new Map<Engine, number>();
  for (const e of engines) {
    const out = await e.run(batches, batch); // warm-up, and the feature check
    let d = 0;
    out.forEach((f, i) => f.forEach((v, j) => (d = Math.max(d, Math.abs(v - expected[i][j])))));
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
  const ips = (e: Engine) => images / (median(times.get(e)!) / 1000);
  for (const e of engines) {
    rows.push({
      model: label, engine: e.engine, threads: e.threads, ...(e.spinning !== undefined ? { spinning: e.spinning } : {}),
      imagesPerSecond: round(ips(e), 1), vsTfjsWasm: round(ips(e) / ips(reference)), maxAbsDiffVsTfjs: Number(maxDiff.get(e)!.toExponential(2)),
    });
  }
  if (anchor) anchorsWanted.set(anchor, images);
  console.error(`bench:embed: ${label} measured`);
  backbone.model.dispose();
}

/**
 * Files → cached features for the sample's 120 images through cachedFeatures (next batch decoded while the
 * current one runs) against the same steps one after the other (decode, then forward), the app's engine both times.
 */
async function pipeline(): Promise<unknown> {
  const { backbone } = await benchModel('mobilenetv2');
  const refs = files.map((p, i) => ({ path: p, sha256: `bench-${i}` }));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-embed-'));
  const sequential: number[] = [];
  const overlapped: number[] = [];
  const engine = await frozenForward(backbone.model);
  const size = backbone.inputSize;
  try {
    for (let r = 0; r <= rounds; r++) {
      const before = openCatalog(path.join(tmp, `s${r}.sqlite`));
      let t0 = performance.now();
      for (let b = 0; b < refs.length; b += batch) {
        const chunk = refs.slice(b, b + batch);
        const pixels = await decodeImageBatch(chunk.map((x) => x.path), size);
        const x = tf.tidy(() => backbone.preprocess(tf.tensor4d(pixels, [chunk.length, size, size, 3])));
        const values = await engine.forward(x);
        x.dispose();
        storeCachedFeatures(before, 'bench', [1280], chunk.map((c, j) => ({ sha256: c.sha256, features: values.subarray(j * 1280, (j + 1) * 1280) })));
      }
      if (r > 0) sequential.push(performance.now() - t0); // round 0 warms both up
      before.close();
      const db = openCatalog(path.join(tmp, `c${r}.sqlite`));
      t0 = performance.now();
      await cachedFeatures(db, backbone, refs, { batchSize: batch });
      if (r > 0) overlapped.push(performance.now() - t0);
      db.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    backbone.model.dispose();
  }
  const ips = (ms: number[]) => round(refs.length / (median(ms) / 1000), 1);
  return {
    model: 'MobileNetV2 @224', engine: engine.name, images: refs.length, batch,
    decodeThenForwardImagesPerSecond: ips(sequential),
    cachedFeaturesOverlappedImagesPerSecond: ips(overlapped),
    note: 'both write each batch to a new SQLite cache in one transaction; only cachedFeatures decodes the next batch during the forward pass',
  };
}
const pipelineResult = process.argv.includes('--no-pipeline') ? null : await pipeline();

/** MobileNetV2 @224 on onnxruntime-node with 1 and 2 threads while one core trains (bench-embed-busy.ts). */
async function alongside(): Promise<void> {
  const { backbone, label } = await benchModel('mobilenetv2');
  const size = backbone.inputSize;
  const batches: Float32Array[] = [];
  for (let b = 0; b + batch <= 4 * batch; b += batch) {
    const raw = await readImageBatch(files.slice(b, b + batch), size);
    const x = tf.tidy(() => backbone.preprocess(raw));
    batches.push(x.dataSync() as Float32Array);
    tf.dispose([raw, x]);
  }
  const engines = [await onnxEngine(backbone, 1, false), await onnxEngine(backbone, cores, false)];
  for (const e of engines) await e.run(batches, batch);
  const boot = new URL('../src-main/tsx-worker-boot.mjs', import.meta.url);
  const busy = new Worker(boot, { workerData: { tsEntry: new URL('./bench-embed-busy.ts', import.meta.url).href } });
  await new Promise((resolve) => busy.once('message', resolve));
  const times = new Map<Engine, number[]>(engines.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    for (const e of engines) {
      const t0 = performance.now();
      await e.run(batches, batch);
      times.get(e)!.push(performance.now() - t0);
    }
  }
  busy.postMessage('stop');
  await busy.terminate();
  for (const e of engines) {
    const ips = (batches.length * batch) / (median(times.get(e)!) / 1000);
    rows.push({ model: `${label}, one core training alongside`, engine: e.engine, threads: e.threads, spinning: false, imagesPerSecond: round(ips, 1), vsTfjsWasm: null, maxAbsDiffVsTfjs: null });
  }
  backbone.model.dispose();
}
if (!process.argv.includes('--no-alongside') && !onnxError) await alongside();

const python = torchPython();
let anchor: { torch: string; torchvision: string; models: Record<string, { imagesPerSecond: Record<string, number> }> } | null = null;
if (python && anchorsWanted.size) {
  const maxImages = Math.max(...anchorsWanted.values());
  anchor = JSON.parse(execFileSync(python, [new URL('./bench-embed-anchor.py', import.meta.url).pathname, String(maxImages), String(batch), String(cores), [...anchorsWanted.keys()].join(',')], { encoding: 'utf8' }));
  const labels: Record<string, string> = { mobilenetv2: 'MobileNetV2 @224', 'mobilenetv2-mid-multi-gem': 'MobileNetV2 @224, recipe mid-multi-gem-* (GeM of blocks 9–13)', resnet50: 'ResNet50 @200 (random weights)' };
  for (const [name, m] of Object.entries(anchor!.models)) {
    for (const [threads, ips] of Object.entries(m.imagesPerSecond)) {
      rows.push({ model: labels[name], engine: 'pytorch', threads: Number(threads), imagesPerSecond: round(ips, 1), vsTfjsWasm: null, maxAbsDiffVsTfjs: null });
    }
  }
}

/** onnxruntime-node (the app's default configuration) ÷ PyTorch with the same thread count, per model. */
const anchorName = (label: string) =>
  label.includes('alongside') ? null : label.startsWith('ResNet50') ? 'resnet50' : label.includes('recipe mid-multi-gem') ? 'mobilenetv2-mid-multi-gem' : label.includes('recipe') ? null : 'mobilenetv2';
const ratios = anchor && rows.filter((r) => r.engine === 'onnxruntime-node' && (r.threads === 1 || r.spinning === DEFAULT_ONNX_SPINNING)).flatMap((r) => {
  const name = anchorName(r.model);
  const torch = name ? anchor!.models[name]?.imagesPerSecond[String(r.threads)] : undefined;
  return torch ? [{ model: r.model, threads: r.threads, onnxOverPytorch: round(r.imagesPerSecond / torch) }] : [];
});

console.log(
  JSON.stringify(
    {
      benchmark: 'feature extraction engines, real sample images',
      backend: describeBackend(backend),
      appDefault: { engine: backend.embeds.name, threads: defaultOnnxThreads(), spinning: DEFAULT_ONNX_SPINNING },
      batch,
      rounds,
      onnxruntimeError: onnxError,
      machine: { loadAverageBefore: loadBefore.map((x) => round(x)), loadAverageAfter: os.loadavg().map((x) => round(x)), cores, node: process.version },
      engines: rows,
      anchor: anchor && { torch: anchor.torch, torchvision: anchor.torchvision, note: 'torchvision architectures, random weights, random inputs; the same batch' },
      ratiosVsPytorchSameThreads: ratios,
      pipeline: pipelineResult,
    },
    null,
    2,
  ),
);
