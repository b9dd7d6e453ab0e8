/**
 * Which frozen features retrieve best, untrained: for each offline backbone, layer, pooling, input size and
 * colour handling, Recall@1/5/10 and MRR on the test split of each real evaluation set (gallery = test/left,
 * queries = test/right, cosine similarity) — the numbers docs/feature-recipes.md is written from.
 *
 *   npm run measure-features -- [--sets brands,icons] [--backbones mobilenetv2,inceptionv3]
 *       [--colours colour,grey,polarity] [--mobilenet-sizes 224,160] [--inception-sizes 299]
 *       [--eval-sets DIR] [--split test|train] [--cache DIR] [--out FILE.json] [--markdown FILE.md]
 *
 * --split train measures on the 4/5 train folder instead (more queries, and a recipe chosen there has not
 * seen the test pairs that bench:quality reports).
 *
 * One forward pass per (set, backbone, size, colour) gives every layer's map; each pooled vector is cached in
 * --cache (default /tmp/lookalike-feature-cache, keyed by the images' hashes), so later runs only score.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from '../src-main/ml/backend.ts';
import { readImageRgb } from '../src-main/ml/image-tensor.ts';
import { scorePairedSets } from '../src-main/ml/metrics/score-paired-sets.ts';
import { embeddingSimilarity } from '../src-main/ml/vectors.ts';
import { applyColourHandling, COLOUR_HANDLINGS, type ColourHandling } from './features/colour-handling.ts';
import {
  FEATURE_BACKBONES, INCEPTION_LAYERS, loadExtractor, MOBILENET_LAYERS, type FeatureBackboneId, type MultiLayerExtractor,
} from './features/feature-backbones.ts';
import { concatNormalised, l2Rows, poolMap, POOLINGS, type Pooling } from './features/pooling.ts';
import { renderTables } from './features/recipe-tables.ts';
import { EVAL_SET_IDS, type EvalSetId } from './eval-sets/sources.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 8;

/**
 * Multi-layer recipes: each layer pooled alike, L2-normalised, concatenated. Blocks 9–13 are MobileNetV2's
 * 14×14 stage (mid-level shapes), 14–16 its 7×7 stage; mixed4–7 are InceptionV3's 17×17 stage.
 */
const CONCATS: Record<FeatureBackboneId, Record<string, readonly string[]>> = {
  mobilenetv2: {
    'blocks 9–13': ['block_9_add', 'block_11_add', 'block_12_add', 'block_13_project_BN'],
    'blocks 12–15': ['block_12_add', 'block_13_project_BN', 'block_14_add', 'block_15_add'],
    'blocks 14–16': ['block_14_add', 'block_15_add', 'block_16_project_BN'],
  },
  inceptionv3: {
    'mixed4–7': ['mixed4', 'mixed5', 'mixed6', 'mixed7'],
    'mixed5–7': ['mixed5', 'mixed6', 'mixed7'],
    'mixed7–9': ['mixed7', 'mixed8', 'mixed9'],
  },
};

/** Retrieval numbers of one recipe on one set. */
export interface RecipeScores { r1: number; r5: number; r10: number; mrr: number }

/** One measured recipe. */
export interface RecipeResult {
  backbone: FeatureBackboneId;
  size: number;
  colour: ColourHandling;
  /** A layer name, or a concatenation's name (its layers in `layers`). */
  feature: string;
  layers: readonly string[];
  pooling: Pooling;
  sets: Partial<Record<EvalSetId, RecipeScores>>;
  mean_r1: number;
  mean_mrr: number;
}

interface TestSplit { set: EvalSetId; names: string[]; left: string[]; right: string[]; fingerprint: string }

async function loadSplit(root: string, set: EvalSetId, split: string): Promise<TestSplit> {
  const dir = path.join(root, set, split);
  const names = (await readdir(path.join(dir, 'left'))).sort();
  const hash = createHash('sha256');
  for (const n of names) for (const side of ['left', 'right']) hash.update(await readFile(path.join(dir, side, n)));
  return {
    set, names,
    left: names.map((n) => path.join(dir, 'left', n)),
    right: names.map((n) => path.join(dir, 'right', n)),
    fingerprint: hash.digest('hex').slice(0, 16),
  };
}

const cacheFile = (dir: string, layer: string, pooling: Pooling, side: string) => path.join(dir, `${layer}.${pooling}.${side}.f32`);

/** Extracts every layer × pooling of one (set, backbone, size, colour) into the cache folder, unless already there. */
async function extract(split: TestSplit, extractor: () => Promise<MultiLayerExtractor>, dir: string, colour: ColourHandling,
  log: (s: string) => void): Promise<void> {
  if (existsSync(path.join(dir, 'done'))) return;
  const ex = await extractor();
  await mkdir(dir, { recursive: true });
  for (const side of ['left', 'right'] as const) {
    const files = split[side];
    const rows = new Map<string, Float32Array[]>();
    for (let i = 0; i < files.length; i += BATCH) {
      const chunk = files.slice(i, i + BATCH);
      const pixels = await Promise.all(chunk.map(async (f) => applyColourHandling(await readImageRgb(f, ex.inputSize), ex.inputSize, colour)));
      const batch = new Float32Array(chunk.length * pixels[0].length);
      pixels.forEach((p, k) => batch.set(p, k * p.length));
      const input = tf.tensor4d(batch, [chunk.length, ex.inputSize, ex.inputSize, 3]);
      const maps = ex.maps(input);
      input.dispose();
      for (const [l, map] of maps.entries()) {
        for (const pooling of POOLINGS) {
          const pooled = tf.tidy(() => poolMap(map, pooling));
          const key = `${ex.layers[l]}.${pooling}`;
          rows.set(key, [...(rows.get(key) ?? []), (await pooled.data()) as Float32Array]);
          pooled.dispose();
        }
        map.dispose();
      }
    }
    for (const [key, parts] of rows) {
      const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      const [layer, pooling] = key.split('.') as [string, Pooling];
      await writeFile(cacheFile(dir, layer, pooling, side), Buffer.from(all.buffer));
    }
    log(`${split.set} ${ex.id}@${ex.inputSize} ${colour}: ${side} done`);
  }
  await writeFile(path.join(dir, 'done'), '');
}

async function readRows(dir: string, layer: string, pooling: Pooling, side: string, n: number) {
  const buf = await readFile(cacheFile(dir, layer, pooling, side));
  const rows = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { rows, dim: rows.length / n };
}

/** Recall@k and MRR of right-image queries against left-image gallery, through the app's own metric code. */
export function score(left: Float32Array, right: Float32Array, dim: number, n: number): RecipeScores {
  const s = scorePairedSets(n, embeddingSimilarity(l2Rows(right, dim), l2Rows(left, dim), dim)).scores;
  return { r1: s.recall['1'], r5: s.recall['5'], r10: s.recall['10'], mrr: s.mrr };
}

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length) throw new Error(`unknown ${what} ${bad.join(', ')}; known: ${allowed.join(', ')}`);
  return items as T[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: EVAL_SET_IDS.join(',') },
      backbones: { type: 'string', default: FEATURE_BACKBONES.join(',') },
      colours: { type: 'string', default: COLOUR_HANDLINGS.join(',') },
      'mobilenet-sizes': { type: 'string', default: '224,160' },
      'inception-sizes': { type: 'string', default: '299' },
      'eval-sets': { type: 'string', default: path.join(ROOT, 'eval-sets') },
      split: { type: 'string', default: 'test' },
      cache: { type: 'string', default: '/tmp/lookalike-feature-cache' },
      out: { type: 'string' },
      markdown: { type: 'string' },
    },
  });
  const log = (s: string) => process.stderr.write(`measure-features: ${s}\n`);
  const sets = list(values.sets, EVAL_SET_IDS, 'set');
  const backbones = list(values.backbones, FEATURE_BACKBONES, 'backbone');
  const colours = list(values.colours, COLOUR_HANDLINGS, 'colour handling');
  const sizes: Record<FeatureBackboneId, number[]> = {
    mobilenetv2: values['mobilenet-sizes'].split(',').map(Number),
    inceptionv3: values['inception-sizes'].split(',').map(Number),
  };
  const root = path.resolve(values['eval-sets']);
  if (values.split !== 'test' && values.split !== 'train') throw new Error(`--split takes test or train, not ${values.split}`);
  for (const s of sets) if (!existsSync(path.join(root, s, values.split, 'left'))) throw new Error(`${root}/${s}/${values.split} is missing: run npm run eval-sets first`);
  const backend = await initBackend();
  log(describeBackend(backend));
  const splits = await Promise.all(sets.map((s) => loadSplit(root, s, values.split)));
  const results: RecipeResult[] = [];
  for (const backbone of backbones) {
    const layerNames: readonly string[] = backbone === 'mobilenetv2' ? MOBILENET_LAYERS : INCEPTION_LAYERS;
    for (const size of sizes[backbone]) {
      let loaded: Promise<MultiLayerExtractor> | undefined;
      const extractor = () => (loaded ??= loadExtractor(backbone, size));
      for (const colour of colours) {
        const perSet = new Map<string, Partial<Record<EvalSetId, RecipeScores>>>();
        for (const split of splits) {
          const dir = path.join(values.cache, `${split.set}-${values.split}-${split.fingerprint}`, `${backbone}-${size}-${colour}`);
          await extract(split, extractor, dir, colour, log);
          const n = split.names.length;
          const record = (key: string, s: RecipeScores) => perSet.set(key, { ...perSet.get(key), [split.set]: s });
          for (const pooling of POOLINGS) {
            const parts = new Map<string, { left: Float32Array; right: Float32Array; dim: number }>();
            for (const layer of layerNames) {
              const l = await readRows(dir, layer, pooling, 'left', n);
              const r = await readRows(dir, layer, pooling, 'right', n);
              parts.set(layer, { left: l.rows, right: r.rows, dim: l.dim });
              record(`${layer}|${pooling}`, score(l.rows, r.rows, l.dim, n));
            }
            for (const [name, group] of Object.entries(CONCATS[backbone])) {
              const l = concatNormalised(group.map((g) => ({ rows: parts.get(g)!.left, dim: parts.get(g)!.dim })), n);
              const r = concatNormalised(group.map((g) => ({ rows: parts.get(g)!.right, dim: parts.get(g)!.dim })), n);
              record(`${name}|${pooling}`, score(l.rows, r.rows, l.dim, n));
            }
          }
        }
        for (const [key, scores] of perSet) {
          const [feature, pooling] = key.split('|') as [string, Pooling];
          const vals = Object.values(scores);
          results.push({
            backbone, size, colour, feature, pooling, sets: scores,
            layers: CONCATS[backbone][feature] ?? [feature],
            mean_r1: vals.reduce((a, s) => a + s.r1, 0) / vals.length,
            mean_mrr: vals.reduce((a, s) => a + s.mrr, 0) / vals.length,
          });
        }
      }
      if (loaded) (await loaded).dispose();
    }
  }
  results.sort((a, b) => b.mean_r1 - a.mean_r1 || b.mean_mrr - a.mean_mrr);
  const json = {
    backend: backend.name,
    split: values.split,
    sets: splits.map((s) => ({ set: s.set, pairs: s.names.length, fingerprint: s.fingerprint })),
    results,
  };
  if (values.out) await writeFile(values.out, `${JSON.stringify(json, null, 1)}\n`);
  if (values.markdown) await writeFile(values.markdown, renderTables(results, sets));
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`measure-features: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
