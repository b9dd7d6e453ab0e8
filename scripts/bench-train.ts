/**
 * Training throughput on this machine, as one JSON object:
 *   npx tsx scripts/bench-train.ts [--images 8] [--triplets 1000]   (npm run bench:train)
 *
 * - feature extraction images/s per backbone (MobileNetV2 @224 with its shipped weights; ResNet50 @200 with
 *   random weights: the arithmetic is the same as with ImageNet's, and those need a download), on the engine the
 *   app embeds with (onnxruntime-node when it loads: src-main/ml/onnx/onnx-engine.ts; `engine` says which);
 * - head-mode seconds per epoch of 1 000 triplets, on MobileNetV2-sized (1280) and ResNet50-sized (7×7×2048,
 *   flatten and avg) features;
 * - the backend they ran on;
 * - `anchor`: PyTorch CPU's figures for the same work (scripts/bench-train-anchor.py), measured in this run right
 *   after Lookalike's, or null when no Python with torch + torchvision is found (as root with apt-get, Debian's
 *   python3-torch and python3-torchvision are installed first; `--no-anchor-install` skips that).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src-main/ml/backend.ts';
import type { Backbone } from '../src-main/ml/backbones/backbone.ts';
import { loadMobileNetV2 } from '../src-main/ml/backbones/mobilenetv2.ts';
import { buildResNet50 } from '../src-main/ml/backbones/resnet50.ts';
import { buildHead } from '../src-main/ml/head.ts';
import { trainTriplets } from '../src-main/ml/train-loop.ts';
import { featureRows } from '../src-main/model-store/feature-cache.ts';
import { frozenForward } from '../src-main/ml/onnx/onnx-engine.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function imagesPerSecond(backbone: Backbone, images: number): Promise<{ imagesPerSecond: number; batch: number; engine: string }> {
  const batch = Math.min(8, images);
  // The frozen backbone's forward pass as the feature cache runs it: preprocessing in tfjs, then the engine.
  const engine = await frozenForward(backbone.model);
  const run = async () => {
    const x = tf.tidy(() => backbone.preprocess(tf.randomUniform([batch, backbone.inputSize, backbone.inputSize, 3], 0, 255, 'float32', 1) as tf.Tensor4D));
    await engine.forward(x);
    x.dispose();
  };
  await run(); // warm-up: kernels compile, weights upload
  const t0 = performance.now();
  let done = 0;
  while (done < images) {
    await run();
    done += batch;
  }
  return { imagesPerSecond: done / ((performance.now() - t0) / 1000), batch, engine: engine.name };
}

async function headEpochSeconds(featureShape: number[], pooling: 'flatten' | 'avg', triplets: number): Promise<number> {
  const model = buildHead({ inputShape: featureShape, pooling, seed: 1 });
  // 64 distinct feature rows stand for the 2 000 images (the arithmetic per batch is what is measured), kept in
  // JS memory as the trainer keeps its cache.
  const size = featureShape.reduce((a, b) => a * b, 1);
  const table = { shape: featureShape, size, data: Float32Array.from({ length: 64 * size }, (_, i) => Math.sin(i * 12.9898) * 2) };
  const pairs = Array.from({ length: triplets }, (_, i) => i);
  const t0 = performance.now();
  await trainTriplets({
    model, trainPairs: pairs, valPairs: [], epochs: 1, batchSize: 32, mining: 'semihard', seed: 1,
    inputsFor: (idx, side) => featureRows(table, idx.map((i) => (i * 2 + (side === 'left' ? 0 : 1)) % 64)),
  });
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  return seconds;
}

/** A Python that imports torch and torchvision: the shell's python3 (may be pyenv's) or Debian's. */
function torchPython(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

function anchor(images: number, triplets: number): unknown {
  let python = torchPython();
  if (!python && !process.argv.includes('--no-anchor-install') && process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    console.error('bench:train: installing python3-torch and python3-torchvision for the PyTorch anchor (apt-get)…');
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 2, 2] });
    spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-torchvision'], { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    python = torchPython();
  }
  if (!python) return null;
  const script = new URL('./bench-train-anchor.py', import.meta.url).pathname;
  return JSON.parse(execFileSync(python, [script, String(images), String(triplets)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

const images = flag('images', 16);
const triplets = flag('triplets', 1000);
const loadBefore = os.loadavg();
const backend = await initBackend();
const mobilenet = await loadMobileNetV2();
const mobilenetSpeed = await imagesPerSecond(mobilenet, images);
mobilenet.model.dispose();
const resnet = await buildResNet50({ weights: 'random', inputSize: 200, seed: 1 });
const resnetSpeed = await imagesPerSecond(resnet, Math.min(images, 8));
const resnetShape = resnet.model.outputs[0].shape.slice(1) as number[];
resnet.model.dispose();

const result = {
  backend: describeBackend(backend),
  featureExtraction: {
    mobilenetv2: { inputSize: 224, ...mobilenetSpeed },
    resnet50: { inputSize: 200, ...resnetSpeed },
  },
  headEpochSeconds: {
    triplets,
    batchSize: 32,
    mobilenetv2Features: await headEpochSeconds([1280], 'avg', triplets),
    resnet50FeaturesAvg: await headEpochSeconds(resnetShape, 'avg', triplets),
    resnet50FeaturesFlatten: await headEpochSeconds(resnetShape, 'flatten', triplets),
  },
};
const anchorResult = anchor(images, triplets) as { featureExtraction: Record<string, Record<string, number>>; headEpochSeconds: Record<string, number | null> } | null;
// The threads our features ran on: onnxruntime's intra-op threads, or tfjs-wasm's one.
const embedThreads = backend.embeds.name === 'onnxruntime-node' ? backend.embeds.threads ?? 1 : backend.threads ?? 1;
const torchAt = (name: string) => anchorResult?.featureExtraction[name][embedThreads === 1 ? 'imagesPerSecond1Thread' : `imagesPerSecond${embedThreads}Threads`];
// > 1 means Lookalike is faster than PyTorch on the same work (feature extraction vs PyTorch's single thread,
// and vs PyTorch with as many threads as our engine used — the target compares those).
const ratios = anchorResult && {
  featureThreads: embedThreads,
  mobilenetv2FeaturesVsTorch1Thread: result.featureExtraction.mobilenetv2.imagesPerSecond / anchorResult.featureExtraction.mobilenetv2.imagesPerSecond1Thread,
  resnet50FeaturesVsTorch1Thread: result.featureExtraction.resnet50.imagesPerSecond / anchorResult.featureExtraction.resnet50.imagesPerSecond1Thread,
  mobilenetv2FeaturesVsTorchSameThreads: result.featureExtraction.mobilenetv2.imagesPerSecond / (torchAt('mobilenetv2') ?? NaN),
  resnet50FeaturesVsTorchSameThreads: result.featureExtraction.resnet50.imagesPerSecond / (torchAt('resnet50') ?? NaN),
  mobilenetv2HeadEpochTorchOverOurs: (anchorResult.headEpochSeconds.mobilenetv2Features ?? NaN) / result.headEpochSeconds.mobilenetv2Features,
};
console.log(JSON.stringify({ ...result, anchor: anchorResult, ratios, machine: { loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(), cores: os.cpus().length } }, null, 2));
