import fs from 'node:fs';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { checkedNorm, VectorIndexError } from '../ml/vectors.ts';

/** How the graph stores its vectors: i8 (1 byte/dim) is the default; f16 and f32 for comparison. */
export type AnnQuantization = 'i8' | 'f16' | 'f32';

/** Graph and search parameters of {@link AnnIndex}; the defaults are the ones `npm run bench:query` chose. */
export interface AnnParams {
  /** Links per node (HNSW M): more = better recall on hard data, more memory and a slower build. */
  connectivity: number;
  /** Candidate list while inserting (efConstruction): the build's main cost. */
  expansionAdd: number;
  /** Candidate list while searching (ef): the recall/latency knob. usearch searches with max(ef, count asked). */
  expansionSearch: number;
  quantization: AnnQuantization;
  /**
   * Candidates the graph proposes for exact re-scoring (k'), at least 4·k: the graph's order is by quantised
   * distance, so a longer shortlist recovers true neighbours it ranked just below the top k. Re-scoring costs
   * one f32 dot product per candidate (a fraction of a millisecond for a few hundred), far less than the walk.
   */
  shortlist: number;
}

/** The settings a built graph depends on: a persisted graph built with others is rebuilt, not reused. */
export type AnnBuildParams = Pick<AnnParams, 'connectivity' | 'expansionAdd' | 'quantization'>;

/** The build settings of `params`, in a fixed key order (they are compared as JSON). */
export function annBuildParams(params: AnnParams): AnnBuildParams {
  return { connectivity: params.connectivity, expansionAdd: params.expansionAdd, quantization: params.quantization };
}

/**
 * Defaults chosen with `npm run bench:query` (docs/performance.md, docs/bench/query-*.json), swept at 100 k
 * clustered 256-d vectors and confirmed at 1 M: there recall@10 0.999, p50 1 ms, a build of 271 CPU-seconds.
 * M and ef_add are what recall needed (M 16 / ef_add 64 stayed below 0.99 at 100 k whatever the search effort,
 * and fell to 0.82 at 1 M); i8 matched f16's recall after re-scoring at two thirds of its bytes and a faster
 * build; ef 512 or re-scoring all 256 candidates gained nothing over ef 256 with k' 74.
 */
export const DEFAULT_ANN_PARAMS: AnnParams = { connectivity: 32, expansionAdd: 128, expansionSearch: 256, quantization: 'i8', shortlist: 74 };

const SCALAR: Record<AnnQuantization, ScalarKind> = { i8: ScalarKind.I8, f16: ScalarKind.F16, f32: ScalarKind.F32 };

/**
 * Approximate cosine search (HNSW, usearch) over catalog image ids, for catalogs where the exact scan gets slow.
 * It only proposes candidates: callers re-score them exactly (see catalog-index.ts), so its quantised distances
 * never reach a user. usearch ships prebuilt N-API binaries, so the same package loads in Node and in Electron.
 */
export class AnnIndex {
  readonly dim: number;
  readonly params: AnnParams;
  private readonly index: Index;

  constructor(options: { dim: number } & Partial<AnnParams>) {
    const { dim, ...rest } = options;
    if (!Number.isInteger(dim) || dim <= 0) throw new VectorIndexError('INVALID_ARGUMENT', `dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.params = { ...DEFAULT_ANN_PARAMS, ...rest };
    for (const key of ['connectivity', 'expansionAdd', 'expansionSearch', 'shortlist'] as const) {
      const v = this.params[key];
      if (!Number.isInteger(v) || v <= 0) throw new VectorIndexError('INVALID_ARGUMENT', `${key} must be a positive integer, got ${v}`);
    }
    this.index = new Index({
      dimensions: dim,
      metric: MetricKind.Cos,
      quantization: SCALAR[this.params.quantization],
      multi: false,
      connectivity: this.params.connectivity,
      expansion_add: this.params.expansionAdd,
      expansion_search: this.params.expansionSearch,
    });
  }

  /**
   * Opens an index written by {@link save}. The build params must be the ones it was built with (callers check
   * that; the file holds the graph, not the settings); the search params (expansionSearch, shortlist) may differ.
   */
  static load(file: string, options: { dim: number } & Partial<AnnParams>): AnnIndex {
    const ann = new AnnIndex(options);
    ann.index.load(file);
    if (ann.index.dimensions() !== ann.dim) {
      throw new VectorIndexError('DIM_MISMATCH', `${file} holds ${ann.index.dimensions()}-d vectors, expected ${ann.dim}`);
    }
    return ann;
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds many unit vectors at once (row-major), on `threads` threads: far faster than one by one. */
  addMany(ids: ArrayLike<number>, rows: Float32Array, threads: number): void {
    if (rows.length !== ids.length * this.dim) throw new VectorIndexError('DIM_MISMATCH', `${rows.length} values for ${ids.length} vectors of ${this.dim}`);
    if (ids.length === 0) return;
    this.index.add(BigUint64Array.from({ length: ids.length }, (_, i) => BigInt(ids[i])), rows, threads);
  }

  /** Adds one vector (normalised first, as the exact index does). */
  add(id: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) throw new VectorIndexError('DIM_MISMATCH', `vector for id ${id} has length ${vector.length}, index dim is ${this.dim}`);
    const inv = 1 / checkedNorm(vector, `vector for id ${id}`);
    this.index.add(BigInt(id), Float32Array.from(vector, (v) => v * inv));
  }

  /** Up to `count` ids near `query` (a unit vector), nearest first by the graph's quantised distance. */
  candidates(query: Float32Array, count: number): number[] {
    if (query.length !== this.dim) throw new VectorIndexError('DIM_MISMATCH', `query has length ${query.length}, index dim is ${this.dim}`);
    const wanted = Math.min(count, this.size);
    if (wanted <= 0) return [];
    const found = this.index.search(query, wanted, 1);
    return Array.from(found.keys, (key) => Number(key));
  }

  /** Writes the graph to `file` through a temporary file and a rename, so a crash never leaves half an index. */
  save(file: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    this.index.save(tmp);
    fs.renameSync(tmp, file);
  }
}
