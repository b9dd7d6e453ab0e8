/**
 * Retrieval quality from ranks: each query (a right image) is ranked against the gallery (the left images of the
 * same split) and we ask where its true partner lands. The ranking itself is done by scorePairedSets, for any
 * similarity; this file holds the rank rule and the two numbers made from ranks.
 */
/** Error codes of the evaluation maths. */
export type EvalErrorCode = 'EMPTY_INPUT' | 'DUPLICATE_LABEL' | 'NON_FINITE' | 'INVALID_ARGUMENT';

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
 * Recall@k keyed by String(k): the fraction of queries whose true match ranks within the top k.
 * @throws EvalError EMPTY_INPUT without ranks, INVALID_ARGUMENT for a k that is not a positive integer.
 */
export function recallAtK(ranks: readonly number[], ks: readonly number[] = [1, 5, 10]): Record<string, number> {
  if (ranks.length === 0) throw new EvalError('EMPTY_INPUT', 'no queries to evaluate');
  const recall: Record<string, number> = {};
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new EvalError('INVALID_ARGUMENT', `every k must be a positive integer, got ${k}`);
    recall[String(k)] = ranks.filter((r) => r <= k).length / ranks.length;
  }
  return recall;
}

/** Mean reciprocal rank of the true match. @throws EvalError EMPTY_INPUT without ranks. */
export function meanReciprocalRank(ranks: readonly number[]): number {
  if (ranks.length === 0) throw new EvalError('EMPTY_INPUT', 'no queries to evaluate');
  return ranks.reduce((sum, r) => sum + 1 / r, 0) / ranks.length;
}
