/**
 * The evidence behind the training defaults: trains on the sample dataset with each combination of mining,
 * distance and learning rate (MobileNetV2, head mode, so the grid takes minutes on a CPU) and measures each run
 * on brands it never saw (samples/brands-heldout) and on its own test split. Prints a Markdown table and JSON.
 *
 *   npx tsx scripts/choose-defaults.ts [--epochs 30] [--seeds 1] [--lr 1e-4,1e-3] [--mining random,semihard,hard]
 *                                      [--distance l1,l2sq,cosine] [--symmetric off,on] [--augment 0,3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, SAMPLE_DIR } from '../src-main/app-paths.ts';
import { openCatalog } from '../src-main/catalog/open-catalog.ts';
import { importFolder } from '../src-main/importer/import-folder.ts';
import { trainNewRun } from '../src-main/training/train-run.ts';
import { runEmbedder, untrainedEmbedder, type Embedder } from '../src-main/model-store/embedder.ts';
import { scanPairedFolder } from '../src-main/importer/scan-paired-folder.ts';
import { readAndHash, DEFAULT_LIMITS } from '../src-main/importer/probe-image.ts';
import { scorePairedSets } from '../src-main/ml/metrics/score-paired-sets.ts';
import { embeddingSimilarity } from '../src-main/ml/vectors.ts';
import type { Distance as DistanceChoice, MiningStrategy as Mining } from '../src-shared/train-options.ts';
import type { RetrievalScores } from '../src-shared/query-types.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
function list(name: string, fallback: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1] : fallback).split(',');
}
const epochs = flag('epochs', 30);
const lrs = list('lr', '1e-4,1e-3').map(Number);
const minings = list('mining', 'random,semihard,hard') as Mining[];
const distances = list('distance', 'l1,l2sq,cosine') as DistanceChoice[];
const symmetries = list('symmetric', 'off').map((v) => v === 'on');
const augments = list('augment', '0').map(Number);
const seeds = flag('seeds', 1);
const HELDOUT = path.join(PACKAGE_ROOT, 'samples', 'brands-heldout');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-defaults-'));
const db = openCatalog(path.join(dir, 'catalog.sqlite'));
await importFolder(db, SAMPLE_DIR, { name: 'sample' });

// Held-out images as catalog-style refs (hash + path): their backbone features are cached once for all runs.
const scan = await scanPairedFolder(HELDOUT);
const refs = async (side: 'left' | 'right') =>
  Promise.all(scan.pairs.map(async (p) => ({ sha256: ((await readAndHash(p[side].path, DEFAULT_LIMITS)) as { sha256: string }).sha256, path: p[side].path })));
const heldLeft = await refs('left');
const heldRight = await refs('right');

async function heldout(embedder: Embedder) {
  const l = await embedder.embed(heldLeft);
  const r = await embedder.embed(heldRight);
  return scorePairedSets(scan.pairs.length, embeddingSimilarity(r, l, embedder.dim)).scores;
}

const rows: Array<Record<string, unknown>> = [];
const base = await untrainedEmbedder(db, 'mobilenetv2');
rows.push({ config: 'untrained mobilenetv2', heldout: await heldout(base) });
base.dispose();

for (const lr of lrs) {
  for (const mining of minings) {
    for (const distance of distances) for (const symmetric of symmetries) for (const augment of augments) {
      const results: Array<{ heldout: RetrievalScores; test: RetrievalScores | null | undefined; valLoss: number | null | undefined }> = [];
      for (let s = 0; s < seeds; s++) {
        const run = await trainNewRun(db, 'sample', { backbone: 'mobilenetv2', mode: 'head', epochs, mining, distance, symmetric, augment, learningRate: lr, seed: 42 + s });
        const embedder = await runEmbedder(db, run.id);
        results.push({ heldout: await heldout(embedder), test: run.metrics?.test, valLoss: run.epochs.at(-1)?.valLoss });
        embedder.dispose();
      }
      const mean = (f: (r: (typeof results)[number]) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
      const row = {
        config: `${mining} ${distance} lr=${lr}${symmetric ? ' symmetric' : ''}${augment ? ` augment=${augment}` : ''}`,
        heldoutR1: mean((r) => r.heldout.recall['1']),
        heldoutR5: mean((r) => r.heldout.recall['5']),
        heldoutMrr: mean((r) => r.heldout.mrr),
        heldoutAuc: mean((r) => r.heldout.rocAuc ?? 0),
        testR1: mean((r) => r.test?.recall['1'] ?? 0),
        testMrr: mean((r) => r.test?.mrr ?? 0),
      };
      rows.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  }
}
db.close();
fs.rmSync(dir, { recursive: true, force: true });
const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '');
console.log(`| config (${epochs} epochs, ${seeds} seed(s)) | held-out R@1 | R@5 | MRR | AUC | test R@1 | test MRR |\n|---|---|---|---|---|---|---|`);
for (const r of rows) {
  if ('heldout' in r) {
    const h = r.heldout as { recall: Record<string, number>; mrr: number; rocAuc: number };
    console.log(`| ${r.config} | ${fmt(h.recall['1'])} | ${fmt(h.recall['5'])} | ${fmt(h.mrr)} | ${fmt(h.rocAuc)} | | |`);
  } else console.log(`| ${r.config} | ${fmt(r.heldoutR1)} | ${fmt(r.heldoutR5)} | ${fmt(r.heldoutMrr)} | ${fmt(r.heldoutAuc)} | ${fmt(r.testR1)} | ${fmt(r.testMrr)} |`);
}
