/**
 * Query latency at catalog scale: the exact scan and the HNSW index that queries use, side by side in one run.
 *
 *   npm run bench:query -- [--sizes 10000,100000,1000000] [--dim 256] [--k 10] [--queries 200]
 *                          [--distributions clustered,uniform] [--variants i8/16/64,f16/32/128]
 *                          [--searches 256:74,512:512] [--index-max N] [--no-sample] [--no-js-scan]
 *
 * Prints one JSON object: `results[]` with, per size and distribution, `exact` (what queries run below
 * ANN_MIN_VECTORS: native SIMD scan + exact re-scoring), `exactJs` (the JavaScript scan it replaced the heavy
 * lifting of), and `index` (CatalogIndex with its graph forced on, as queries use it above the threshold, with
 * the default settings unless --variants / --searches say otherwise; recallAt10 = share of the exact top 10 it
 * returns). A variant is a graph build, `quantization/connectivity/expansionAdd`; each built graph is then
 * reopened from its file with every `expansionSearch:shortlist` of --searches (no rebuild: they are search-time
 * settings), reported under `searches` — the first variant's first search is `index`. `sample` = real
 * embeddings of samples/brands by the untrained MobileNetV2 embedder (1280-d). Queries are look-alikes of
 * catalog vectors (a stored vector plus noise), the case search is for. Every result carries the 1-minute load
 * average when it finished: on a shared machine the tails say more about the neighbours than about the index.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BruteForceIndex } from '../src-main/ml/vector-index.ts';
import { ANN_MIN_PROBE_RECALL, ANN_MIN_VECTORS, CatalogIndex } from '../src-main/search/catalog-index.ts';
import { DEFAULT_ANN_PARAMS, type AnnParams, type AnnQuantization } from '../src-main/search/ann-index.ts';
import { nearQueries, syntheticCatalog, type Distribution } from './bench-vectors.ts';

interface Options {
  sizes: number[];
  dim: number;
  k: number;
  queries: number;
  distributions: Distribution[];
  /** Graph builds to compare, `quantization[/connectivity/expansionAdd]`; the first is reported as `index`. */
  variants: AnnParams[];
  /** Search settings tried on every built graph, `expansionSearch:shortlist`; the first is reported as `index`. */
  searches: Pick<AnnParams, 'expansionSearch' | 'shortlist'>[];
  jsScan: boolean;
  sample: boolean;
  /** Sizes above this measure the exact scan only (`index: null`): a uniform 1 M graph takes far longer to build. */
  indexMax: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: [10_000, 100_000, 1_000_000], dim: 256, k: 10, queries: 200, distributions: ['clustered', 'uniform'], variants: [DEFAULT_ANN_PARAMS], searches: [DEFAULT_ANN_PARAMS], sample: true, jsScan: true, indexMax: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-sample' || flag === '--no-js-scan') {
      if (flag === '--no-sample') o.sample = false;
      else o.jsScan = false;
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
    else if (flag === '--searches') o.searches = value.split(',').map(parseSearch);
    else throw new Error(`unknown option ${flag}`);
  }
  if ([...o.sizes, o.dim, o.k, o.queries].some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('sizes, dim, k and queries must be positive integers');
  return o;
}

function parseVariant(spec: string): AnnParams {
  const [quantization, ...numbers] = spec.split('/');
  const [connectivity, expansionAdd] = numbers.map(Number);
  if (!['i8', 'f16', 'f32'].includes(quantization)) throw new Error(`variant ${spec}: quantization must be i8, f16 or f32`);
  return {
    ...DEFAULT_ANN_PARAMS,
    quantization: quantization as AnnQuantization,
    connectivity: connectivity || DEFAULT_ANN_PARAMS.connectivity,
    expansionAdd: expansionAdd || DEFAULT_ANN_PARAMS.expansionAdd,
  };
}

function parseSearch(spec: string): Pick<AnnParams, 'expansionSearch' | 'shortlist'> {
  const [expansionSearch, shortlist] = spec.split(':').map(Number);
  if (!Number.isInteger(expansionSearch) || expansionSearch <= 0) throw new Error(`search ${spec}: expected expansionSearch[:shortlist]`);
  return { expansionSearch, shortlist: shortlist || DEFAULT_ANN_PARAMS.shortlist };
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

function measure(rows: Float32Array, dim: number, queries: Float32Array[], k: number, options: Pick<Options, 'variants' | 'searches' | 'jsScan'>) {
  const size = rows.length / dim;
  const exactIndex = new BruteForceIndex({ dim, capacity: size });
  for (let id = 0; id < size; id++) exactIndex.add(id, rows.subarray(id * dim, (id + 1) * dim));
  const exact = timeQueries(queries, (q) => exactIndex.search(q, k));
  let exactJs: { p50Ms: number; p99Ms: number } | null = null;
  if (options.jsScan) {
    const jsIndex = new BruteForceIndex({ dim, capacity: size, nativeScanMinRows: Infinity });
    for (let id = 0; id < size; id++) jsIndex.add(id, rows.subarray(id * dim, (id + 1) * dim));
    const timed = timeQueries(queries.slice(0, Math.min(queries.length, size >= 1e6 ? 40 : queries.length)), (q) => jsIndex.search(q, k));
    exactJs = { p50Ms: timed.p50Ms, p99Ms: timed.p99Ms };
  }
  const truth = exact.answers.map((hits) => new Set(hits.map((h) => h.id)));
  const catalogIndex = (folder: string, params: AnnParams) => {
    // minProbeRecall 0: the graph answers whatever its self-test says, so that its recall is measured, not avoided.
    const index = new CatalogIndex({ dim, embedderKey: 'bench', folder, annMinVectors: 0, minProbeRecall: 0, ann: params });
    for (let id = 0; id < size; id++) index.add(id, rows.subarray(id * dim, (id + 1) * dim));
    return index;
  };
  const indexes = options.variants.flatMap((build) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-query-'));
    try {
      let index: CatalogIndex | undefined = catalogIndex(folder, { ...build, ...options.searches[0] });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      index.sync();
      const buildSeconds = (performance.now() - t0) / 1000;
      // CPU time of every thread: on a shared machine buildSeconds depends on the neighbours, this hardly does.
      const cpu = process.cpuUsage(cpu0);
      const buildCpuSeconds = (cpu.user + cpu.system) / 1e6;
      const bytes = fs.statSync(path.join(folder, 'bench.usearch')).size;
      return options.searches.map((search) => {
        const params = { ...build, ...search };
        // Another search setting: the same graph, reopened from its file (sync finds it matches, builds nothing).
        index ??= catalogIndex(folder, params);
        const t1 = performance.now();
        index.sync();
        const openSeconds = (performance.now() - t1) / 1000;
        const timed = timeQueries(queries, (q) => index!.search(q, k));
        const probed = index.probedRecall ?? null;
        index = undefined;
        let found = 0;
        timed.answers.forEach((hits, i) => (found += hits.filter((h) => truth[i].has(h.id)).length));
        return {
          params: `${params.quantization}/${params.connectivity}/${params.expansionAdd} ef ${params.expansionSearch} k' ${params.shortlist}`,
          p50Ms: timed.p50Ms,
          p99Ms: timed.p99Ms,
          recallAt10: round(found / (queries.length * Math.min(k, size))),
          // The graph's own self-test (what decides whether queries use it), beside the benchmark's measurement.
          probeRecallAt10: probed,
          buildSeconds: round(buildSeconds, 1),
          buildCpuSeconds: round(buildCpuSeconds, 1),
          openSeconds: round(openSeconds, 2),
          // The graph file (quantised vectors + links); queries also keep the f32 rows (4·dim bytes) for re-scoring.
          bytesPerVector: Math.round(bytes / size),
          loadAverage: round(os.loadavg()[0], 2),
        };
      });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
  const [index = null, ...others] = indexes;
  return {
    exact: { p50Ms: exact.p50Ms, p99Ms: exact.p99Ms },
    exactJs,
    index,
    variants: others,
    // What a catalog of this size and kind would query with the defaults: the graph if it is large enough and passes its self-test.
    queriesUse: size >= ANN_MIN_VECTORS && (index?.probeRecallAt10 ?? 0) >= ANN_MIN_PROBE_RECALL ? 'index' : 'exact',
    speedupIndexVsExact: index ? round(exact.p50Ms / index.p50Ms, 1) : null,
    speedupExactVsJs: exactJs ? round(exactJs.p50Ms / exact.p50Ms, 1) : null,
    loadAverage: round(os.loadavg()[0], 2),
  };
}

/** Real embeddings: the sample's 120 images through the untrained MobileNetV2 embedder, right images as queries. */
async function sampleResult(k: number, options: Pick<Options, 'variants' | 'searches' | 'jsScan'>) {
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
    return { size: files.length, distribution: 'sample', dim, ...measure(vectors, dim, queries, k, options) };
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
    results.push({ size, distribution, dim: options.dim, ...measure(rows, options.dim, queries, options.k, { ...options, variants }) });
    console.error(`bench:query ${size} ${distribution} done at ${round((performance.now() - started) / 1000, 0)} s`);
  }
}
if (options.sample) results.push(await sampleResult(options.k, options));

console.log(
  JSON.stringify(
    {
      benchmark: 'catalog query, top k',
      k: options.k,
      queriesPerSize: options.queries,
      annMinVectors: ANN_MIN_VECTORS,
      annMinProbeRecall: ANN_MIN_PROBE_RECALL,
      defaults: DEFAULT_ANN_PARAMS,
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
