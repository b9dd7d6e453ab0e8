import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogDataDir } from '../catalog/catalog-path.ts';
import { BruteForceIndex, type SearchHit } from '../ml/vector-index.ts';
import { seededRandom } from '../ml/metrics/verification-metrics.ts';
import { AnnIndex, annBuildParams, DEFAULT_ANN_PARAMS, type AnnBuildParams, type AnnParams } from './ann-index.ts';

/**
 * From this many vectors on, queries go through the HNSW index; below it the exact scan (native SIMD shortlist over
 * all cores, re-scored exactly) answers. Measured by `npm run bench:query` (docs/performance.md, 2 cores shared
 * with other work, clustered 256-d vectors): at 100 k the exact scan takes ~4 ms p50 and the re-scored graph
 * ~0.4 ms with recall@10 1.0, after a build of ~20 s; at 1 M the exact scan takes 39 ms p50 / 68 ms p99 (over the
 * 30 ms budget) and the graph 0.7 / 3.7 ms with recall@10 0.998. Below 100 k the scan stays under ~4 ms (20 ms
 * for 1280-d untrained embeddings), which no one notices, so a graph would only add a build and a file.
 */
export const ANN_MIN_VECTORS = 100_000;

/** Options of {@link CatalogIndex}. */
export interface CatalogIndexOptions {
  dim: number;
  /** Whose vectors these are (`run:3`): names the persisted index file, so runs never share one. */
  embedderKey: string;
  /** Folder for the persisted index (`<catalog>.d/index`); none = keep it in memory only (tests, `:memory:`). */
  folder?: string;
  /** Override of {@link ANN_MIN_VECTORS} (tests use a small one). */
  annMinVectors?: number;
  /** Override of {@link ANN_MIN_PROBE_RECALL}; 0 = always use the graph once built (the benchmark measures it that way). */
  minProbeRecall?: number;
  ann?: Partial<AnnParams>;
  /** Build threads; default: every core. */
  threads?: number;
}

/**
 * What the persisted index's side file records, to tell whether the graph still matches the catalog and the
 * settings it would be built with today. Version 1 files (one `params` object, search settings included) are
 * never reused: the graph is rebuilt with the current build settings.
 */
interface IndexMeta {
  version: typeof META_VERSION;
  embedderKey: string;
  dim: number;
  /** The settings the graph was built with; the search settings are applied when it is opened. */
  build: AnnBuildParams;
  /** How many of the exact index's rows (in row order) the graph holds, and a checksum of their ids. */
  count: number;
  idsChecksum: number;
  /** Size of the graph file as written: usearch's loader can hang on a truncated or foreign file, so it never sees one. */
  bytes: number;
  /** The graph's recall@10 on probe queries, measured when it held `count` vectors. */
  probe: Probe;
}

/** A self-test of the graph: its recall@10 against the exact scan, and at what size it was measured. */
interface Probe {
  recallAt10: number;
  count: number;
}

/**
 * The graph answers queries only if it found at least this share of the exact top 10 on probe queries (look-alikes
 * of the catalog's own vectors). Clustered vectors like embeddings give ≥ 0.99 at 1 M with the defaults, but
 * nothing promises a catalog is like them (uniform random vectors gave 0.4–0.9): below this bar the exact scan,
 * slower but never wrong, keeps answering.
 */
export const ANN_MIN_PROBE_RECALL = 0.95;

/** Probe queries per self-test: ~500 top-10 members, a recall known within about ±0.02. */
const PROBES = 50;

/** The probe is repeated once the catalog has grown this much since: a few new images do not change the graph's quality. */
const REPROBE_GROWTH = 1.1;

const META_VERSION = 2;

/**
 * Longest shortlist asked of the graph while a filter rejects too much of it; beyond this the exact scan (a
 * filter keeping under ~1/400 of a million images) is cheaper than walking the graph further.
 */
const MAX_SHORTLIST = 4096;

/** Where the index of a catalog file lives: `index/` in the folder Lookalike owns beside it (catalogDataDir). */
export function indexFolderFor(catalogFile: string): string | undefined {
  if (!catalogFile || catalogFile === ':memory:') return undefined;
  return path.join(catalogDataDir(catalogFile), 'index');
}

/** FNV-1a over the first `count` ids: a changed, removed or reordered id changes it. */
function checksum(ids: readonly number[], count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < count; i++) {
    let x = ids[i];
    for (let b = 0; b < 4; b++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193);
      x >>>= 8;
    }
  }
  return h >>> 0;
}

/**
 * The catalog's vectors for one embedder, searchable: the exact index holds every vector (and answers small
 * catalogs); from {@link ANN_MIN_VECTORS} on an HNSW graph proposes a shortlist that is re-scored exactly, so
 * scores are always true cosines, as long as the graph passes a self-test of its recall ({@link ANN_MIN_PROBE_RECALL}). A filter never loses a result: the shortlist grows while the filter rejects
 * too much of it, and a filter that keeps only a sliver of the catalog is answered by the exact scan.
 * Same `has` / `add` / `search` / `size` as {@link BruteForceIndex}, so callers need not know which answers.
 */
export class CatalogIndex {
  readonly exact: BruteForceIndex<number>;
  private ann?: AnnIndex;
  private probe?: Probe;
  private readonly options: CatalogIndexOptions;
  private readonly params: AnnParams;

  constructor(options: CatalogIndexOptions) {
    this.options = options;
    this.params = { ...DEFAULT_ANN_PARAMS, ...options.ann };
    this.exact = new BruteForceIndex<number>({ dim: options.dim, threads: options.threads });
  }

  get dim(): number {
    return this.exact.dim;
  }

  get size(): number {
    return this.exact.size;
  }

  /**
   * Whether queries go through the graph: the catalog reached the threshold, {@link sync} ran, and the graph
   * passed its self-test ({@link ANN_MIN_PROBE_RECALL}).
   */
  get approximate(): boolean {
    return this.ann !== undefined && this.probe !== undefined && this.probe.recallAt10 >= (this.options.minProbeRecall ?? ANN_MIN_PROBE_RECALL);
  }

  /** The graph's last self-test (recall@10 on probe queries), if it has been built. */
  get probedRecall(): number | undefined {
    return this.probe?.recallAt10;
  }

  has(id: number): boolean {
    return this.exact.has(id);
  }

  /** Adds a vector to the exact index; {@link sync} then brings the graph up to date in one batch. */
  add(id: number, vector: ArrayLike<number>): void {
    this.exact.add(id, vector);
  }

  private get files(): { graph: string; meta: string } | undefined {
    if (!this.options.folder) return undefined;
    const base = path.join(this.options.folder, this.options.embedderKey.replace(/[^A-Za-z0-9_.-]/g, '_'));
    return { graph: `${base}.usearch`, meta: `${base}.json` };
  }

  /**
   * Brings the graph in line with the exact index once the catalog is large enough: opens the persisted graph
   * when it matches, adds only the vectors added since (incremental), rebuilds when the catalog lost or changed
   * images, tests its recall on probe queries (again once the catalog has grown by a tenth) and saves. Blocks
   * while it builds: 6 min per million 256-d vectors on two cores shared with other work (docs/performance.md).
   */
  sync(): void {
    const minVectors = this.options.annMinVectors ?? ANN_MIN_VECTORS;
    if (this.exact.size < minVectors) return;
    const ids = this.exact.storedIds();
    const files = this.files;
    let count = 0;
    if (!this.ann && files) {
      const opened = this.openPersisted(files, ids);
      if (opened) [this.ann, count, this.probe] = opened;
    } else if (this.ann) count = this.ann.size;
    if (!this.ann) this.ann = new AnnIndex({ dim: this.dim, ...this.params });
    if (count === ids.length && this.probe) return;
    if (count < ids.length) {
      const rows = this.exact.storedRows().subarray(count * this.dim);
      this.ann.addMany(ids.slice(count), rows, this.options.threads ?? os.availableParallelism());
    }
    if (!this.probe || ids.length >= this.probe.count * REPROBE_GROWTH) this.probe = { recallAt10: this.probeRecall(this.ann), count: ids.length };
    if (files) {
      fs.mkdirSync(path.dirname(files.graph), { recursive: true });
      this.ann.save(files.graph);
      const meta: IndexMeta = {
        version: META_VERSION,
        embedderKey: this.options.embedderKey,
        dim: this.dim,
        build: annBuildParams(this.params),
        count: ids.length,
        idsChecksum: checksum(ids, ids.length),
        bytes: fs.statSync(files.graph).size,
        probe: this.probe,
      };
      fs.writeFileSync(`${files.meta}.tmp`, JSON.stringify(meta));
      fs.renameSync(`${files.meta}.tmp`, files.meta);
    }
  }

  /**
   * Recall@10 of the graph (with exact re-scoring, as queries use it) against the exact scan, on look-alikes of
   * stored vectors: a vector plus 0.3 of another (cosine ≈ 0.95 to the first), seeded by the size so that a
   * catalog's probe is reproducible.
   */
  private probeRecall(ann: AnnIndex): number {
    const { dim } = this;
    const rows = this.exact.storedRows();
    const n = this.exact.size;
    const k = Math.min(10, n);
    const random = seededRandom(n);
    const q = new Float32Array(dim);
    let found = 0;
    for (let p = 0; p < PROBES; p++) {
      const a = Math.floor(random() * n) * dim;
      const b = Math.floor(random() * n) * dim;
      for (let i = 0; i < dim; i++) q[i] = rows[a + i] + 0.3 * rows[b + i];
      const truth = new Set(this.exact.search(q, k).map((h) => h.id));
      // Unit a + 0.3·b has length ≥ 0.7, so unit() always succeeds; without a filter the graph always answers.
      found += (this.graphSearch(ann, unit(q)!, k) ?? []).filter((h) => truth.has(h.id)).length;
    }
    return Number((found / (PROBES * k)).toFixed(3));
  }

  /** The persisted graph and how many rows it covers, or undefined when it is missing, stale or unreadable. */
  private openPersisted(files: { graph: string; meta: string }, ids: readonly number[]): [AnnIndex, number, Probe | undefined] | undefined {
    let meta: IndexMeta;
    try {
      meta = JSON.parse(fs.readFileSync(files.meta, 'utf8')) as IndexMeta;
    } catch {
      return undefined;
    }
    const sameParams = JSON.stringify(meta.build) === JSON.stringify(annBuildParams(this.params));
    const fits = meta.version === META_VERSION && meta.embedderKey === this.options.embedderKey && meta.dim === this.dim && sameParams && meta.count <= ids.length;
    if (!fits || checksum(ids, meta.count) !== meta.idsChecksum) return undefined;
    try {
      if (fs.statSync(files.graph).size !== meta.bytes) return undefined;
      const ann = AnnIndex.load(files.graph, { dim: this.dim, ...this.params });
      return ann.size === meta.count ? [ann, meta.count, meta.probe] : undefined;
    } catch {
      return undefined; // a truncated or foreign file: rebuilt from the catalog's vectors, which are the truth
    }
  }

  /**
   * The `k` best vectors passing `filter`, best first with exact cosine scores (ties by smaller id).
   * Without the graph (or with one that failed its self-test) this is the exact search. With it: a shortlist of max(params.shortlist, 4k) is re-scored
   * exactly; while the filter leaves fewer than k, the shortlist grows ×4; past {@link MAX_SHORTLIST} candidates
   * the exact scan answers.
   */
  search(query: ArrayLike<number>, k: number, filter?: (id: number) => boolean): SearchHit<number>[] {
    const ann = this.ann;
    if (!ann || !this.approximate || k <= 0 || ann.size < this.exact.size) return this.exact.search(query, k, filter);
    const q = unit(query);
    if (!q) return this.exact.search(query, k, filter); // the exact index throws the clear error
    return this.graphSearch(ann, q, k, filter) ?? this.exact.search(query, k, filter);
  }

  /** The graph's shortlist re-scored exactly; undefined when a filter leaves fewer than k of the longest one. */
  private graphSearch(ann: AnnIndex, q: Float32Array, k: number, filter?: (id: number) => boolean): SearchHit<number>[] | undefined {
    const limit = Math.min(k, this.exact.size);
    for (let fetch = Math.max(this.params.shortlist, 4 * limit); ; fetch *= 4) {
      const candidates = ann.candidates(q, fetch);
      const hits = this.exact.rescore(q, candidates, limit, filter);
      if (hits.length >= limit || candidates.length >= this.exact.size) return hits;
      if (fetch >= MAX_SHORTLIST) return undefined;
    }
  }
}

/** `v` scaled to unit length, or undefined when it has no direction (zero, NaN, infinite). */
function unit(v: ArrayLike<number>): Float32Array | undefined {
  const q = Float32Array.from(v);
  let sq = 0;
  for (let i = 0; i < q.length; i++) sq += q[i] * q[i];
  const norm = Math.sqrt(sq);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  for (let i = 0; i < q.length; i++) q[i] /= norm;
  return q;
}
