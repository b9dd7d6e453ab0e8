/**
 * Query latency at catalog scale: the exact scan and the HNSW index that queries use, side by side in one run.
 *
 *   npm run bench:query -- [--sizes 10000,100000,1000000] [--dim 256] [--k 10] [--queries 200]
 *                          [--distributions clustered,uniform] [--variants i8,f16] [--no-sample]
 *
 * Prints one JSON object: `results[]` with, per size and distribution, `exact` (what queries run below
 * ANN_MIN_VECTORS: native SIMD scan + exact re-scoring), `exactJs` (the JavaScript scan it replaced the heavy
 * lifting of), and `index` (CatalogIndex with its graph forced on, as queries use it above the threshold;
 * recallAt10 = share of the exact top 10 it returns). `variants` repeats the index with other quantisations.
 * `sample` = real embeddings of samples/brands by the untrained MobileNetV2 embedder (1280-d).
 * Queries are look-alikes of catalog vectors (a stored vector plus noise), the case search is for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BruteForceIndex } from '../src-main/ml/vector-index.ts';
import { ANN_MIN_VECTORS, CatalogIndex } from '../src-main/search/catalog-index.ts';
import { DEFAULT_ANN_PARAMS, type AnnParams, type AnnQuantization } from '../src-main/search/ann-index.ts';
import { nearQueries, syntheticCatalog, type Distribution } from './bench-vectors.ts';

interface Options {
  sizes: number[];
  dim: number;
  k: number;
  queries: number;
  distributions: Distribution[];
  /** Index settings to compare, `quantization[/connectivity/expansionAdd/expansionSearch]`; the first is reported as `index`. */
  variants: AnnParams[];
  sample: boolean;
  /** Sizes above this measure the exact scan only (`index: null`): a uniform 1 M graph takes far longer to build. */
  indexMax: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [10_000, 100_000, 1_000_000], dim: 256, k: 10, queries: 200, distributions: ['clustered', 'uniform'], variants: [DEFAULT_ANN_PARAMS], sample: true, indexMax: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-sample') {
      o.sample = false;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`missing value after ${flag}`);
    if (flag === '--sizes') o.sizes = value.split(',').map((s) => Number(s.replace(/_/g, '')));
    else if (flag === '--dim') o.dim = Number(value);
    else if (flag === '--k') o.k = Number(value);
    else if (flag === '--queries') o.queries = Number(value);
    else if (flag === '--distributions') o.distributions = value.split(',') as Distribution[];
    else if (flag === '--index-max') o.indexMax = Number(value);
    else if (flag === '--variants') o.variants = value.split(',').map(parseVariant);
    else throw new Error(`unknown option ${flag}`);
  }
  if ([...o.sizes, o.dim, o.k, o.queries].some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('sizes, dim, k and queries must be positive integers');
  return o;
}

function parseVariant(spec: string): AnnParams {
  const [quantization, ...numbers] = spec.split('/');
  const [connectivity, expansionAdd, expansionSearch] = numbers.map(Number);
  if (!['i8', 'f16', 'f32'].includes(quantization)) throw new Error(`variant ${spec}: quantization must be i8, f16 or f32`);
  return {
    quantization: quantization as AnnQuantization,
    connectivity: connectivity || DEFAULT_ANN_PARAMS.connectivity,
    expansionAdd: expansionAdd || DEFAULT_ANN_PARAMS.expansionAdd,
    expansionSearch: expansionSearch || DEFAULT_ANN_PARAMS.expansionSearch,
  };
}

function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length); // nearest rank: with 200 queries p99 is the second slowest
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

function timeQueries<T>(queries: Float32Array[], run: (q: Float32Array) => T): { p50Ms: number; p99Ms: number; answers: T[] } {
  for (const q of queries.slice(0, 5)) run(q); // let the JIT and the caches warm up first
  const ms: number[] = [];
  const answers = queries.map((q) => {
    const t0 = performance.now();
    const answer = run(q);
    ms.push(performance.now() - t0);
    return answer;
  });
  ms.sort((a, b) => a - b);
  return { p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)), answers };
}

function measure(rows: Float32Array, dim: number, queries: Float32Array[], k: number, variants: AnnParams[]) {
  const size = rows.length / dim;
  const exactIndex = new BruteForceIndex({ dim, capacity: size });
  const jsIndex = new BruteForceIndex({ dim, capacity: size, nativeScanMinRows: Infinity });
  for (let id = 0; id < size; id++) {
    exactIndex.add(id, rows.subarray(id * dim, (id + 1) * dim));
    jsIndex.add(id, rows.subarray(id * dim, (id + 1) * dim));
  }
  const exact = timeQueries(queries, (q) => exactIndex.search(q, k));
  const exactJs = timeQueries(queries.slice(0, Math.min(queries.length, size >= 1e6 ? 40 : queries.length)), (q) => jsIndex.search(q, k));
  const truth = exact.answers.map((hits) => new Set(hits.map((h) => h.id)));
  const indexes = variants.map((params) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-query-'));
    try {
      const index = new CatalogIndex({ dim, embedderKey: 'bench', folder, annMinVectors: 0, ann: params });
      for (let id = 0; id < size; id++) index.add(id, rows.subarray(id * dim, (id + 1) * dim));
      const t0 = performance.now();
      index.sync();
      const buildSeconds = (performance.now() - t0) / 1000;
      const bytes = fs.statSync(path.join(folder, 'bench.usearch')).size;
      const timed = timeQueries(queries, (q) => index.search(q, k));
      let found = 0;
      timed.answers.forEach((hits, i) => (found += hits.filter((h) => truth[i].has(h.id)).length));
      return {
        params: `${params.quantization}/${params.connectivity}/${params.expansionAdd}/${params.expansionSearch}`,
        p50Ms: timed.p50Ms,
        p99Ms: timed.p99Ms,
        recallAt10: round(found / (queries.length * Math.min(k, size))),
        buildSeconds: round(buildSeconds, 1),
        // The graph file (quantised vectors + links); queries also keep the f32 rows (4·dim bytes) for re-scoring.
        bytesPerVector: Math.round(bytes / size),
      };
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
  const [index = null, ...others] = indexes;
  return {
    exact: { p50Ms: exact.p50Ms, p99Ms: exact.p99Ms },
    exactJs: { p50Ms: exactJs.p50Ms, p99Ms: exactJs.p99Ms },
    index,
    variants: others,
    queriesUse: size >= ANN_MIN_VECTORS ? 'index' : 'exact',
    speedupIndexVsExact: index ? round(exact.p50Ms / index.p50Ms, 1) : null,
    speedupExactVsJs: round(exactJs.p50Ms / exact.p50Ms, 1),
  };
}

/** Real embeddings: the sample's 120 images through the untrained MobileNetV2 embedder, right images as queries. */
async function sampleResult(k: number, variants: AnnParams[]) {
  const { openCatalog } = await import('../src-main/catalog/open-catalog.ts');
  const { untrainedEmbedder } = await import('../src-main/model-store/embedder.ts');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-query-sample-'));
  const db = openCatalog(path.join(dir, 'catalog.sqlite'));
  try {
    const embedder = await untrainedEmbedder(db, 'mobilenetv2');
    const root = path.resolve('samples/brands');
    const files = ['left', 'right'].flatMap((side) => fs.readdirSync(path.join(root, side)).sort().map((f) => path.join(root, side, f)));
    const vectors = await embedder.embed(files.map((f) => ({ buffer: fs.readFileSync(f) })));
    embedder.dispose();
    const dim = embedder.dim;
    const queries = files.flatMap((f, i) => (f.includes(`${path.sep}right${path.sep}`) ? [vectors.slice(i * dim, (i + 1) * dim)] : []));
    return { size: files.length, distribution: 'sample', dim, ...measure(vectors, dim, queries, k, variants) };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
const loadBefore = os.loadavg();
const started = performance.now();
const results: unknown[] = [];
for (const [i, size] of options.sizes.entries()) {
  for (const [j, distribution] of options.distributions.entries()) {
    const rows = syntheticCatalog(size, options.dim, distribution, 1000 + 10 * i + j);
    const queries = nearQueries(rows, options.dim, options.queries, 2000 + 10 * i + j);
    const variants = size <= options.indexMax ? options.variants : [];
    results.push({ size, distribution, dim: options.dim, ...measure(rows, options.dim, queries, options.k, variants) });
    console.error(`bench:query ${size} ${distribution} done at ${round((performance.now() - started) / 1000, 0)} s`);
  }
}
if (options.sample) results.push(await sampleResult(options.k, options.variants));

console.log(
  JSON.stringify(
    {
      benchmark: 'catalog query, top k',
      k: options.k,
      queriesPerSize: options.queries,
      annMinVectors: ANN_MIN_VECTORS,
      machine: {
        loadAverageBefore: loadBefore.map((x) => round(x, 2)),
        loadAverageAfter: os.loadavg().map((x) => round(x, 2)),
        node: process.version,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
      },
      results,
    },
    null,
    2,
  ),
);
