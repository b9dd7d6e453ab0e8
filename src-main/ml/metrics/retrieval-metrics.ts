/**
 * Retrieval quality of an embedder: each query (a right image) is ranked against the whole gallery (the
 * left images of the same split) by cosine similarity, and we ask where its true partner lands.
 */
import { checkedNorm, dot, VectorIndexError } from '../vector-index.ts';

/** Error codes of the evaluation maths. */
export type EvalErrorCode =
  | 'EMPTY_INPUT'
  | 'NO_TRUE_MATCH'
  | 'DUPLICATE_LABEL'
  | 'LENGTH_MISMATCH'
  | 'DIM_MISMATCH'
  | 'ZERO_NORM'
  | 'NON_FINITE'
  | 'INVALID_ARGUMENT';

/** Thrown for input the metrics cannot be computed on; `code` says why. */
export class EvalError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EvalError';
  }
}

/** n vectors of length `dim` stored row after row in one buffer (what a batched embedder returns). */
export interface EmbeddingMatrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

/** Embeddings as separate vectors or as one row-major matrix. */
export type Embeddings = readonly Float32Array[] | EmbeddingMatrix;

/** A pair id; a query and a gallery item with the same label are a true pair. */
export type PairLabel = string | number;

/** Input of {@link retrievalMetrics}. */
export interface RetrievalInput {
  queries: Embeddings;
  queryLabels: readonly PairLabel[];
  gallery: Embeddings;
  galleryLabels: readonly PairLabel[];
  /** Cut-offs for recall@k; default [1, 5, 10]. */
  ks?: readonly number[];
}

/** Output of {@link retrievalMetrics}. */
export interface RetrievalMetrics {
  /** Number of queries evaluated. */
  queries: number;
  /** Gallery size each query was ranked against. */
  gallery: number;
  /** recall@k keyed by String(k): fraction of queries whose true match is within the top k. */
  recall: Record<string, number>;
  /** Mean reciprocal rank of the true match. */
  mrr: number;
  /** 1-based rank of each query's true match, in query order. */
  ranks: number[];
}

/**
 * Embeddings as a contiguous matrix plus per-row inverse norms, validated once.
 * We divide by the norms rather than trusting the caller's normalisation, so the metric is a true cosine
 * even for a model whose last layer forgot to L2-normalise.
 */
export function prepareEmbeddings(embeddings: Embeddings, what: string): EmbeddingMatrix & { invNorms: Float64Array } {
  let matrix: EmbeddingMatrix;
  if (Array.isArray(embeddings)) {
    const rows = embeddings as readonly Float32Array[];
    const dim = rows.length > 0 ? rows[0].length : 0;
    const data = new Float32Array(rows.length * dim);
    rows.forEach((row, i) => {
      if (row.length !== dim) throw new EvalError('DIM_MISMATCH', `${what}[${i}] has length ${row.length}, expected ${dim}`);
      data.set(row, i * dim);
    });
    matrix = { data, rows: rows.length, dim };
  } else {
    matrix = embeddings as EmbeddingMatrix;
    if (matrix.data.length !== matrix.rows * matrix.dim) {
      throw new EvalError('DIM_MISMATCH', `${what} matrix holds ${matrix.data.length} floats, expected ${matrix.rows}×${matrix.dim}`);
    }
  }
  const invNorms = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) {
    try {
      invNorms[r] = 1 / checkedNorm(matrix.data.subarray(r * matrix.dim, (r + 1) * matrix.dim), `${what}[${r}]`);
    } catch (err) {
      if (err instanceof VectorIndexError) throw new EvalError('ZERO_NORM', err.message);
      throw err;
    }
  }
  return { ...matrix, invNorms };
}

/** Maps each gallery label to its row, refusing duplicates: a query must have exactly one true match. */
export function indexLabels(labels: readonly PairLabel[], what: string): Map<PairLabel, number> {
  const index = new Map<PairLabel, number>();
  labels.forEach((label, i) => {
    if (index.has(label)) throw new EvalError('DUPLICATE_LABEL', `${what} label ${JSON.stringify(label)} appears more than once`);
    index.set(label, i);
  });
  return index;
}

/**
 * 1-based rank of `scores[trueIndex]` among all scores (higher is better).
 *
 * Ties are counted pessimistically: rank = 1 + (items scoring strictly higher) + (other items scoring exactly
 * the same). A degenerate embedder that maps everything to one point therefore gets the worst rank, not the
 * best; an optimistic count would reward it with recall@1 = 1.
 * @throws EvalError INVALID_ARGUMENT for an out-of-range index, NON_FINITE for a NaN or infinite score.
 */
export function rankOfTrueMatch(scores: Float32Array | Float64Array, trueIndex: number): number {
  if (!Number.isInteger(trueIndex) || trueIndex < 0 || trueIndex >= scores.length) {
    throw new EvalError('INVALID_ARGUMENT', `trueIndex ${trueIndex} is outside 0..${scores.length - 1}`);
  }
  const target = scores[trueIndex];
  let ahead = 0;
  for (let j = 0; j < scores.length; j++) {
    const s = scores[j];
    if (!Number.isFinite(s)) throw new EvalError('NON_FINITE', `score ${j} is ${s}`);
    if (s > target || (s === target && j !== trueIndex)) ahead++;
  }
  return ahead + 1;
}

/**
 * Recall@k, MRR and per-query ranks of true matches under cosine similarity.
 * See {@link rankOfTrueMatch} for how ties are counted (pessimistically).
 * @throws EvalError EMPTY_INPUT (no queries or empty gallery), NO_TRUE_MATCH (a query label missing from the
 * gallery), DUPLICATE_LABEL, LENGTH_MISMATCH (labels vs embeddings), DIM_MISMATCH, ZERO_NORM, INVALID_ARGUMENT (ks).
 */
export function retrievalMetrics(input: RetrievalInput): RetrievalMetrics {
  const ks = input.ks ?? [1, 5, 10];
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new EvalError('INVALID_ARGUMENT', `every k must be a positive integer, got ${k}`);
  }
  const queries = prepareEmbeddings(input.queries, 'queries');
  const gallery = prepareEmbeddings(input.gallery, 'gallery');
  if (queries.rows === 0) throw new EvalError('EMPTY_INPUT', 'no queries to evaluate');
  if (gallery.rows === 0) throw new EvalError('EMPTY_INPUT', 'the gallery is empty');
  if (input.queryLabels.length !== queries.rows) {
    throw new EvalError('LENGTH_MISMATCH', `${input.queryLabels.length} query labels for ${queries.rows} queries`);
  }
  if (input.galleryLabels.length !== gallery.rows) {
    throw new EvalError('LENGTH_MISMATCH', `${input.galleryLabels.length} gallery labels for ${gallery.rows} gallery items`);
  }
  if (queries.dim !== gallery.dim) throw new EvalError('DIM_MISMATCH', `queries are ${queries.dim}-d, gallery is ${gallery.dim}-d`);

  const galleryIndex = indexLabels(input.galleryLabels, 'gallery');
  // Resolve every true match before the O(n·m·d) work, so a bad split fails fast.
  const trueIndices = input.queryLabels.map((label, i) => {
    const index = galleryIndex.get(label);
    if (index === undefined) {
      throw new EvalError('NO_TRUE_MATCH', `query ${i} (label ${JSON.stringify(label)}) has no gallery item with the same label`);
    }
    return index;
  });

  const { dim } = queries;
  const scores = new Float64Array(gallery.rows);
  const ranks: number[] = new Array(queries.rows);
  for (let q = 0; q < queries.rows; q++) {
    for (let g = 0; g < gallery.rows; g++) {
      scores[g] = dot(queries.data, q * dim, gallery.data, g * dim, dim) * queries.invNorms[q] * gallery.invNorms[g];
    }
    ranks[q] = rankOfTrueMatch(scores, trueIndices[q]);
  }

  const recall: Record<string, number> = {};
  for (const k of ks) recall[String(k)] = ranks.filter((r) => r <= k).length / ranks.length;
  const mrr = ranks.reduce((sum, r) => sum + 1 / r, 0) / ranks.length;
  return { queries: queries.rows, gallery: gallery.rows, recall, mrr, ranks };
}
