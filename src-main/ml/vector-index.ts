/**
 * Exact nearest-neighbour search over L2-normalised embeddings, so that cosine similarity is a plain dot
 * product. One contiguous Float32Array holds every vector (row-major), which keeps the scan cache-friendly
 * and lets a million 256-d vectors live in one 1 GiB buffer instead of a million small objects.
 *
 * Large scans go through usearch's `exactSearch` (SIMD dot products on every core, no JS per row) for a
 * shortlist, which is then re-scored here exactly; small ones, and the fallback when a filter rejects most of
 * the shortlist, use the JavaScript scan. Both give the same ranking (see tests/ml/vector-index.test.ts).
 */
import os from 'node:os';
import { exactSearch, MetricKind } from 'usearch';
import { checkedNorm, dot, VectorIndexError } from './vectors.ts';

/** What a search returns for one stored vector. */
export interface SearchHit<Id> {
  id: Id;
  /** Cosine similarity to the query, in [-1, 1]. */
  score: number;
}

/** Options of {@link BruteForceIndex}. */
export interface BruteForceIndexOptions {
  /** Length of every vector. */
  dim: number;
  /** Rows to allocate up front; the buffer doubles when full. Set it when the final size is known. */
  capacity?: number;
  /**
   * From this many rows on, searches scan natively (SIMD, all cores) for a shortlist and re-score it here. Below
   * it the JavaScript scan is as fast (a few ms) and needs no native call. Default 16 384; Infinity disables it.
   */
  nativeScanMinRows?: number;
  /** Threads of the native scan; default: every core the OS offers. */
  threads?: number;
}

/** Default of {@link BruteForceIndexOptions.nativeScanMinRows}: where the JS scan passes ~3 ms on 256-d. */
export const NATIVE_SCAN_MIN_ROWS = 16_384;

/** Orders ids for deterministic tie-breaking: numbers numerically, strings by code unit. */
function idLess<Id extends number | string>(a: Id, b: Id): boolean {
  return a < b;
}

/**
 * Exact top-k cosine search by scanning every stored vector.
 * Vectors are normalised on `add`, so stored rows and scores are cosines whatever the caller's scale.
 * Ties in score are broken by the smaller id first, so results never depend on insertion order.
 */
export class BruteForceIndex<Id extends number | string = number> {
  readonly dim: number;
  private data: Float32Array;
  private readonly ids: Id[] = [];
  /** Row of each id: for re-scoring candidates another index proposes. */
  private readonly rowOf = new Map<Id, number>();
  /** Reused normalised query: a search allocates nothing per row and no query copy. */
  private readonly q: Float32Array;
  private readonly nativeScanMinRows: number;
  private readonly threads: number;

  constructor(options: BruteForceIndexOptions) {
    const { dim, capacity = 1024, nativeScanMinRows = NATIVE_SCAN_MIN_ROWS, threads = os.availableParallelism() } = options;
    if (!Number.isInteger(dim) || dim <= 0) {
      throw new VectorIndexError('INVALID_ARGUMENT', `dim must be a positive integer, got ${dim}`);
    }
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new VectorIndexError('INVALID_ARGUMENT', `capacity must be a non-negative integer, got ${capacity}`);
    }
    this.dim = dim;
    this.data = new Float32Array(Math.max(1, capacity) * dim);
    this.q = new Float32Array(dim);
    this.nativeScanMinRows = nativeScanMinRows;
    this.threads = Math.max(1, threads);
  }

  /** Number of stored vectors. */
  get size(): number {
    return this.ids.length;
  }

  /** Whether `id` has been added. */
  has(id: Id): boolean {
    return this.rowOf.has(id);
  }

  /** Every stored id, in insertion (row) order. */
  storedIds(): readonly Id[] {
    return this.ids;
  }

  /** The stored unit vectors, row-major in {@link storedIds} order: a view, valid until the next `add`. */
  storedRows(): Float32Array {
    return this.data.subarray(0, this.ids.length * this.dim);
  }

  /**
   * Stores a copy of `vector`, scaled to unit length.
   * @throws VectorIndexError DIM_MISMATCH, ZERO_NORM, or DUPLICATE_ID (ids are unique).
   */
  add(id: Id, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) {
      throw new VectorIndexError('DIM_MISMATCH', `vector for id ${id} has length ${vector.length}, index dim is ${this.dim}`);
    }
    if (this.rowOf.has(id)) throw new VectorIndexError('DUPLICATE_ID', `id ${id} is already in the index`);
    const inv = 1 / checkedNorm(vector, `vector for id ${id}`);
    const row = this.ids.length;
    if ((row + 1) * this.dim > this.data.length) this.grow();
    const base = row * this.dim;
    for (let i = 0; i < this.dim; i++) this.data[base + i] = vector[i] * inv;
    this.ids.push(id);
    this.rowOf.set(id, row);
  }

  /**
   * The `k` stored vectors most similar to `query`, best first (score desc, then id asc).
   * `filter`, when given, is asked only about vectors that would otherwise enter the top k, so it must be
   * a pure function of the id; ids it rejects are skipped and the next best take their place.
   * @throws VectorIndexError DIM_MISMATCH or ZERO_NORM for a bad query, INVALID_ARGUMENT for a bad k.
   */
  search(query: ArrayLike<number>, k: number, filter?: (id: Id) => boolean): SearchHit<Id>[] {
    if (query.length !== this.dim) {
      throw new VectorIndexError('DIM_MISMATCH', `query has length ${query.length}, index dim is ${this.dim}`);
    }
    if (!Number.isInteger(k) || k < 0) throw new VectorIndexError('INVALID_ARGUMENT', `k must be a non-negative integer, got ${k}`);
    const q = this.normalisedQuery(query);
    const limit = Math.min(k, this.ids.length);
    if (limit === 0) return [];
    if (this.ids.length >= this.nativeScanMinRows) {
      const hits = this.nativeSearch(q, limit, filter);
      if (hits) return hits;
    }
    return this.scan(q, limit, filter);
  }

  /**
   * Exact scores of the given ids only, best first (score desc, then id asc), at most `k`, skipping ids this
   * index does not hold and ids `filter` rejects: the re-scoring step after an approximate index's shortlist.
   */
  rescore(query: ArrayLike<number>, candidates: Iterable<Id>, k: number, filter?: (id: Id) => boolean): SearchHit<Id>[] {
    if (query.length !== this.dim) {
      throw new VectorIndexError('DIM_MISMATCH', `query has length ${query.length}, index dim is ${this.dim}`);
    }
    const q = this.normalisedQuery(query);
    const rows: number[] = [];
    for (const id of candidates) {
      const row = this.rowOf.get(id);
      if (row !== undefined && (!filter || filter(id))) rows.push(row);
    }
    return this.rankRows(q, rows, k);
  }

  private normalisedQuery(query: ArrayLike<number>): Float32Array {
    const inv = 1 / checkedNorm(query, 'query');
    const q = this.q;
    for (let i = 0; i < this.dim; i++) q[i] = query[i] * inv;
    return q;
  }

  /** The JavaScript scan: one pass, a k-heap, the filter asked only about rows that would enter it. */
  private scan(q: Float32Array, limit: number, filter?: (id: Id) => boolean): SearchHit<Id>[] {
    const heap = new TopKHeap<Id>(limit, this.ids);
    const { data, dim, ids } = this;
    const n = ids.length;
    // The heap's worst score, cached: most rows lose to it and cost one comparison, no call.
    let worst = -Infinity;
    for (let row = 0, base = 0; row < n; row++, base += dim) {
      const score = dot(data, base, q, 0, dim);
      if (score < worst) continue;
      if (!heap.wouldAccept(score, row)) continue;
      if (filter && !filter(ids[row])) continue;
      heap.push(score, row);
      if (heap.full) worst = heap.worstScore;
    }
    return heap.drainSorted().map(({ row, score }) => ({ id: ids[row], score }));
  }

  /**
   * Native SIMD scan for a shortlist a little longer than k (longer still under a filter), re-scored exactly.
   * Returns null when the filter leaves fewer than k of a shortlist that has grown to an eighth of the rows:
   * the JS scan, which asks the filter row by row, is then the cheaper exact answer.
   */
  private nativeSearch(q: Float32Array, limit: number, filter?: (id: Id) => boolean): SearchHit<Id>[] | null {
    const n = this.ids.length;
    const rows = this.storedRows();
    // The margin absorbs f32 (native) versus f64 (here) rounding at the shortlist's edge.
    let fetch = Math.min(n, filter ? Math.max(4 * limit, limit + 64) : limit + 16);
    for (;;) {
      const found = exactSearch(rows, q, this.dim, fetch, MetricKind.IP, this.threads);
      const keep: number[] = [];
      for (let i = 0; i < found.keys.length; i++) {
        const row = Number(found.keys[i]);
        if (!filter || filter(this.ids[row])) keep.push(row);
      }
      if (keep.length >= limit || fetch >= n) return this.rankRows(q, keep, limit);
      if (fetch * 8 > n) return null;
      fetch = Math.min(n, fetch * 8);
    }
  }

  private rankRows(q: Float32Array, rows: readonly number[], k: number): SearchHit<Id>[] {
    const { data, dim, ids } = this;
    const scored = rows.map((row) => ({ row, score: dot(data, row * dim, q, 0, dim) }));
    scored.sort((a, b) => b.score - a.score || (idLess(ids[a.row], ids[b.row]) ? -1 : idLess(ids[b.row], ids[a.row]) ? 1 : 0));
    return scored.slice(0, k).map(({ row, score }) => ({ id: ids[row], score }));
  }

  private grow(): void {
    const next = new Float32Array(Math.max(this.data.length * 2, this.dim));
    next.set(this.data);
    this.data = next;
  }
}

/**
 * Fixed-size min-heap of (score, row) whose root is the worst kept candidate: the lowest score, and among
 * equal scores the larger id. Keeping k candidates costs O(n log k) instead of sorting all n scores.
 */
class TopKHeap<Id extends number | string> {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private count = 0;

  constructor(
    private readonly capacity: number,
    private readonly ids: readonly Id[],
  ) {
    this.scores = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  /** True when (scoreA, rowA) ranks below (scoreB, rowB). */
  private worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
    if (scoreA !== scoreB) return scoreA < scoreB;
    return idLess(this.ids[rowB], this.ids[rowA]);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Score of the root (the worst kept candidate); meaningful once {@link full}. */
  get worstScore(): number {
    return this.scores[0];
  }

  wouldAccept(score: number, row: number): boolean {
    if (this.count < this.capacity) return true;
    return this.worse(this.scores[0], this.rows[0], score, row);
  }

  /** Adds a candidate that {@link wouldAccept} approved, evicting the root when full. */
  push(score: number, row: number): void {
    if (this.count < this.capacity) {
      let i = this.count++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, row, this.scores[parent], this.rows[parent])) break;
        this.scores[i] = this.scores[parent];
        this.rows[i] = this.rows[parent];
        i = parent;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    this.siftDown(0, score, row);
  }

  private siftDown(start: number, score: number, row: number): void {
    const n = this.count;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.worse(this.scores[right], this.rows[right], this.scores[left], this.rows[left])) child = right;
      if (!this.worse(this.scores[child], this.rows[child], score, row)) break;
      this.scores[i] = this.scores[child];
      this.rows[i] = this.rows[child];
      i = child;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Empties the heap, returning candidates best first. */
  drainSorted(): { row: number; score: number }[] {
    const out: { row: number; score: number }[] = new Array(this.count);
    while (this.count > 0) {
      const last = --this.count;
      out[last] = { row: this.rows[0], score: this.scores[0] };
      if (last > 0) this.siftDown(0, this.scores[last], this.rows[last]);
    }
    return out;
  }
}
