import { Index, MetricKind, ScalarKind } from 'usearch';
import type { SearchHit } from '../ml/vector-index.ts';
import { checkedNorm, VectorIndexError } from '../ml/vectors.ts';

/**
 * Approximate cosine search (HNSW, usearch) over catalog image ids, for catalogs where an exact scan gets slow.
 * Measured against the exact scan by `npm run bench:query`; not yet used by queries (see README: exact search
 * stays under ~40 ms up to 100 k images, and this index costs a long build and some recall).
 * usearch ships prebuilt N-API binaries, so the same package loads in Node and in Electron without a rebuild.
 * Filters are applied to an over-fetched candidate list; when that leaves fewer than k, the caller's exact
 * index answers instead (`search` returns null), so a narrow filter never silently loses results.
 */
export class AnnIndex {
  readonly dim: number;
  private readonly index: Index;

  constructor(options: { dim: number; connectivity?: number; expansionSearch?: number }) {
    this.dim = options.dim;
    this.index = new Index({
      dimensions: options.dim,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      multi: false,
      connectivity: options.connectivity ?? 16,
      expansion_add: 128,
      expansion_search: options.expansionSearch ?? 64,
    });
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds many normalised vectors at once (row-major), on `threads` threads: far faster than one by one. */
  addMany(ids: readonly number[], rows: Float32Array, threads = 2): void {
    if (rows.length !== ids.length * this.dim) throw new VectorIndexError('DIM_MISMATCH', `${rows.length} values for ${ids.length} vectors of ${this.dim}`);
    this.index.add(BigUint64Array.from(ids, (id) => BigInt(id)), rows, threads);
  }

  /** Adds a vector (normalised first, as the exact index does). */
  add(id: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) throw new VectorIndexError('DIM_MISMATCH', `vector for id ${id} has length ${vector.length}, index dim is ${this.dim}`);
    const inv = 1 / checkedNorm(vector, `vector for id ${id}`);
    this.index.add(BigInt(id), Float32Array.from(vector, (v) => v * inv));
  }

  /**
   * The k best hits passing `filter`, best first, or null when over-fetching could not find k of them (use the
   * exact index then).
   */
  search(query: ArrayLike<number>, k: number, filter?: (id: number) => boolean): SearchHit<number>[] | null {
    const q = Float32Array.from(query);
    const inv = 1 / checkedNorm(q, 'query');
    for (let i = 0; i < q.length; i++) q[i] *= inv;
    const fetch = Math.min(this.size, filter ? Math.max(4 * k, k + 64) : k);
    const found = this.index.search(q, fetch, 0);
    const hits: SearchHit<number>[] = [];
    for (let i = 0; i < found.keys.length && hits.length < k; i++) {
      const id = Number(found.keys[i]);
      if (!filter || filter(id)) hits.push({ id, score: 1 - found.distances[i] });
    }
    return hits.length < Math.min(k, this.size) && filter ? null : hits;
  }
}
