import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogDataDir } from '../catalog/catalog-path.ts';
import { BruteForceIndex, type SearchHit } from '../ml/vector-index.ts';
import { AnnIndex, annBuildParams, DEFAULT_ANN_PARAMS, type AnnBuildParams, type AnnParams } from './ann-index.ts';

/**
 * From this many vectors on, queries go through the HNSW index; below it the exact scan (native SIMD shortlist over
 * all cores, re-scored exactly) answers. Measured by `npm run bench:query` (docs/performance.md, a loaded 2-core
 * machine): at 100 k clustered vectors the re-scored graph kept recall@10 0.99, but at 1 M only 0.82, while the
 * exact scan took 278 ms p50 there. Losing a fifth of the true top 10 is worse for an analyst than a quarter
 * second, so every catalog up to 1 M stays exact until the graph is tuned to ≥ 0.95 at that size.
 */
export const ANN_MIN_VECTORS = 1_000_001;

/** Options of {@link CatalogIndex}. */
export interface CatalogIndexOptions {
  dim: number;
  /** Whose vectors these are (`run:3`): names the persisted index file, so runs never share one. */
  embedderKey: string;
  /** Folder for the persisted index (`<catalog>.d/index`); none = keep it in memory only (tests, `:memory:`). */
  folder?: string;
  /** Override of {@link ANN_MIN_VECTORS} (tests use a small one). */
  annMinVectors?: number;
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
}

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
 * catalogs); above {@link ANN_MIN_VECTORS} an HNSW graph proposes a shortlist that is re-scored exactly, so
 * scores are always true cosines. A filter never loses a result: the shortlist grows while the filter rejects
 * too much of it, and a filter that keeps only a sliver of the catalog is answered by the exact scan.
 * Same `has` / `add` / `search` / `size` as {@link BruteForceIndex}, so callers need not know which answers.
 */
export class CatalogIndex {
  readonly exact: BruteForceIndex<number>;
  private ann?: AnnIndex;
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

  /** Whether the approximate index is in use (the catalog has reached the threshold and {@link sync} ran). */
  get approximate(): boolean {
    return this.ann !== undefined;
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
   * images, and saves. Blocks while it builds (about two minutes per million vectors on two cores).
   */
  sync(): void {
    const minVectors = this.options.annMinVectors ?? ANN_MIN_VECTORS;
    if (this.exact.size < minVectors) return;
    const ids = this.exact.storedIds();
    const files = this.files;
    let count = 0;
    if (!this.ann && files) {
      const opened = this.openPersisted(files, ids);
      if (opened) [this.ann, count] = opened;
    } else if (this.ann) count = this.ann.size;
    if (!this.ann) this.ann = new AnnIndex({ dim: this.dim, ...this.params });
    if (count === ids.length) return;
    const rows = this.exact.storedRows().subarray(count * this.dim);
    this.ann.addMany(ids.slice(count), rows, this.options.threads ?? os.availableParallelism());
    if (files) {
      fs.mkdirSync(path.dirname(files.graph), { recursive: true });
      this.ann.save(files.graph);
      const meta: IndexMeta = { version: META_VERSION, embedderKey: this.options.embedderKey, dim: this.dim, build: annBuildParams(this.params), count: ids.length, idsChecksum: checksum(ids, ids.length), bytes: fs.statSync(files.graph).size };
      fs.writeFileSync(`${files.meta}.tmp`, JSON.stringify(meta));
      fs.renameSync(`${files.meta}.tmp`, files.meta);
    }
  }

  /** The persisted graph and how many rows it covers, or undefined when it is missing, stale or unreadable. */
  private openPersisted(files: { graph: string; meta: string }, ids: readonly number[]): [AnnIndex, number] | undefined {
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
      return ann.size === meta.count ? [ann, meta.count] : undefined;
    } catch {
      return undefined; // a truncated or foreign file: rebuilt from the catalog's vectors, which are the truth
    }
  }

  /**
   * The `k` best vectors passing `filter`, best first with exact cosine scores (ties by smaller id).
   * Without the graph this is the exact search. With it: a shortlist of max(params.shortlist, 4k) is re-scored
   * exactly; while the filter leaves fewer than k, the shortlist grows ×4; past {@link MAX_SHORTLIST} candidates
   * the exact scan answers.
   */
  search(query: ArrayLike<number>, k: number, filter?: (id: number) => boolean): SearchHit<number>[] {
    const ann = this.ann;
    if (!ann || k <= 0 || ann.size < this.exact.size) return this.exact.search(query, k, filter);
    const limit = Math.min(k, this.exact.size);
    const q = Float32Array.from(query);
    let sq = 0;
    for (let i = 0; i < q.length; i++) sq += q[i] * q[i];
    const norm = Math.sqrt(sq);
    if (!(norm > 0) || !Number.isFinite(norm)) return this.exact.search(query, k, filter); // the exact index throws the clear error
    for (let i = 0; i < q.length; i++) q[i] /= norm;
    for (let fetch = Math.max(this.params.shortlist, 4 * limit); ; fetch *= 4) {
      const candidates = ann.candidates(q, fetch);
      const hits = this.exact.rescore(q, candidates, limit, filter);
      if (hits.length >= limit || candidates.length >= this.exact.size) return hits;
      if (fetch >= MAX_SHORTLIST) return this.exact.search(query, k, filter);
    }
  }
}
