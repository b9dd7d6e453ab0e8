/**
 * Pair verification: given two images, are they a pair? Scored by ROC AUC over the similarity of true pairs
 * (positives) against one seeded non-pair per query (negatives), so runs are comparable and repeatable.
 */
import { createRandom } from '../seeded-random.ts';
import { EvalError } from './retrieval-metrics.ts';

/** A pair id; a query and a gallery item with the same label are a true pair. */
export type PairLabel = string | number;

/** Maps each gallery label to its row, refusing duplicates: a query must have exactly one true match. */
function indexLabels(labels: readonly PairLabel[], what: string): Map<PairLabel, number> {
  const index = new Map<PairLabel, number>();
  labels.forEach((label, i) => {
    if (index.has(label)) throw new EvalError('DUPLICATE_LABEL', `${what} label ${JSON.stringify(label)} appears more than once`);
    index.set(label, i);
  });
  return index;
}

/** Throws unless every score is a finite number; a NaN would silently corrupt the ranking. */
function checkFinite(scores: ArrayLike<number>, what: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new EvalError('NON_FINITE', `${what}[${i}] is ${scores[i]}`);
  }
}

/**
 * ROC AUC: the probability that a random positive scores above a random negative, ties counting one half.
 * Computed as the Mann–Whitney U statistic from mid-ranks in O(n log n), which equals the area under the
 * (tie-aware, trapezoidal) ROC curve.
 * @throws EvalError EMPTY_INPUT when either side is empty (AUC is undefined), NON_FINITE for NaN/∞ scores.
 */
export function rocAuc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const nPos = positives.length;
  const nNeg = negatives.length;
  if (nPos === 0 || nNeg === 0) throw new EvalError('EMPTY_INPUT', `AUC needs positives and negatives (got ${nPos} and ${nNeg})`);
  checkFinite(positives, 'positives');
  checkFinite(negatives, 'negatives');

  const n = nPos + nNeg;
  const values = new Float64Array(n);
  for (let i = 0; i < nPos; i++) values[i] = positives[i];
  for (let i = 0; i < nNeg; i++) values[nPos + i] = negatives[i];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);

  // Sum of the positives' 1-based ranks, each tie group sharing its mid-rank.
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && values[order[end + 1]] === values[order[start]]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (order[i] < nPos) rankSumPos += midRank;
    start = end + 1;
  }
  const u = rankSumPos - (nPos * (nPos + 1)) / 2;
  return u / (nPos * nNeg);
}

/** A (query row, gallery row) pair of indices whose labels differ. */
export interface NonPair {
  query: number;
  gallery: number;
}

/**
 * A seeded uniform [0, 1) generator: Math.random cannot be seeded, and the negatives must be the same on every
 * run so that two models' AUCs are compared on identical pairs. (The trainer's mulberry32.)
 */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).next;
}

/**
 * One non-pair per query: query i is paired with a gallery item drawn uniformly among those whose label differs
 * from its own. One negative per positive keeps the classes balanced, and each query contributes to both sides.
 * @param seed same seed, same labels → same non-pairs.
 * @throws EvalError EMPTY_INPUT, DUPLICATE_LABEL (gallery), INVALID_ARGUMENT when a query has no differently
 * labelled gallery item to pair with.
 */
export function sampleNonPairs(queryLabels: readonly PairLabel[], galleryLabels: readonly PairLabel[], seed = 42): NonPair[] {
  if (queryLabels.length === 0 || galleryLabels.length === 0) throw new EvalError('EMPTY_INPUT', 'no queries or no gallery items');
  const galleryIndex = indexLabels(galleryLabels, 'gallery');
  const random = seededRandom(seed);
  return queryLabels.map((label, query) => {
    const own = galleryIndex.get(label);
    const candidates = own === undefined ? galleryLabels.length : galleryLabels.length - 1;
    if (candidates === 0) {
      throw new EvalError('INVALID_ARGUMENT', `query ${query} has no gallery item with a different label to form a non-pair`);
    }
    // Draw among the other items by skipping over the own match, which keeps the choice uniform.
    let gallery = Math.floor(random() * candidates);
    if (own !== undefined && gallery >= own) gallery++;
    return { query, gallery };
  });
}
