/**
 * The vector maths every layer above shares: dot products, norms and the similarity of two embedding rows.
 * One copy, so that search, training's validation, `eval`, the report and export all mean the same thing by
 * "similarity".
 */

/** Error codes a caller (or the UI) can act on. */
export type VectorIndexErrorCode = 'ZERO_NORM' | 'DIM_MISMATCH' | 'DUPLICATE_ID' | 'INVALID_ARGUMENT';

/** Thrown for unusable input; `code` says which rule was broken. */
export class VectorIndexError extends Error {
  constructor(
    readonly code: VectorIndexErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VectorIndexError';
  }
}

/**
 * Dot product of `dim` floats starting at `a[aOffset]` and `b[bOffset]`.
 * Unrolled by four: V8 keeps four independent accumulators in registers, roughly halving scan time on 256-d.
 */
export function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim % 4);
  for (; i < end4; i += 4) {
    s0 += a[aOffset + i] * b[bOffset + i];
    s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
    s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
    s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
  }
  for (; i < dim; i++) s0 += a[aOffset + i] * b[bOffset + i];
  return s0 + s1 + s2 + s3;
}

/**
 * Euclidean norm of a vector; throws ZERO_NORM when it is zero or not finite, because such a vector has no
 * direction and its cosine with anything is undefined (usually a sign of a dead embedder or a blank image).
 */
export function checkedNorm(vector: ArrayLike<number>, what: string): number {
  let sq = 0;
  for (let i = 0; i < vector.length; i++) sq += vector[i] * vector[i];
  const norm = Math.sqrt(sq);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new VectorIndexError('ZERO_NORM', `${what} has norm ${norm}; cannot compute a cosine similarity`);
  }
  return norm;
}

/**
 * Similarity of row q of `queries` to row g of `gallery` (both row-major, `dim` floats a row): their dot product,
 * which is their cosine because every embedder's rows are already L2-normalised (the head's L2Normalize, the
 * untrained baseline's explicit division). Not re-normalised here, so scores are exactly what search ranks by.
 */
export function embeddingSimilarity(queries: Float32Array, gallery: Float32Array, dim: number): (q: number, g: number) => number {
  return (q, g) => dot(queries, q * dim, gallery, g * dim, dim);
}
