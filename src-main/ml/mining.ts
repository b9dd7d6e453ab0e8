import * as tf from '@tensorflow/tfjs';
import type { Random } from './seeded-random.ts';
import { pairwiseDistance, type Distance } from './triplet-loss.ts';
import type { MiningStrategy } from '../../src-shared/train-options.ts';

export type { MiningStrategy };

/*
 * How a negative is chosen for each anchor of a batch (MiningStrategy, declared with the other choices in
 * src-shared/train-options.ts):
 * - `random`: uniformly among the other pairs (what the notebook meant to do).
 * - `semihard`: FaceNet's semi-hard negatives, d(a,p) < d(a,n) < d(a,p) + margin (see {@link mineNegatives}).
 * - `hard`: the closest other pair. Strongest signal, but from the first epochs it can collapse the embedding.
 */

/**
 * A set of (anchor row, candidate row) couples of one batch, either as keys made by {@link negativeKey} or as a
 * boolean matrix indexed [anchorRow][candidateRow]. Directional: (i, j) says nothing about (j, i).
 */
export type RowCouples = ReadonlySet<string> | readonly (readonly boolean[])[];

/** Options of {@link mineNegatives}. */
export interface MiningOptions {
  strategy: MiningStrategy;
  /** Must be the distance the loss uses, or "hard" would mean something else than what the loss sees. */
  distance: Distance;
  /** Width of the semi-hard band; the loss margin. */
  margin: number;
  /** Required for `random`: the draws come from here, so a seeded stream gives repeatable picks. */
  random?: Random;
  /** Couples that must never be anchor/negative: the candidate was marked "same" as the anchor by a user. */
  forbidden?: RowCouples;
  /**
   * Couples to use first: the candidate was marked "not a match" for the anchor by a user, i.e. a known
   * confusion. When an anchor has any allowed preferred candidate, the strategy chooses among those only.
   */
  preferred?: RowCouples;
}

/** Key of the couple (anchor row, candidate row) in a {@link RowCouples} set. */
export function negativeKey(anchorRow: number, candidateRow: number): string {
  return `${anchorRow}:${candidateRow}`;
}

/**
 * Rows of a batch of `batchSize` pairs that may serve as anchor `anchorRow`'s negative: never its own pair,
 * never a forbidden one; narrowed to the preferred ones when any remain. Empty when there is none.
 */
export function negativeCandidates(
  anchorRow: number,
  batchSize: number,
  { forbidden, preferred }: Pick<MiningOptions, 'forbidden' | 'preferred'> = {},
): number[] {
  const allowed: number[] = [];
  for (let j = 0; j < batchSize; j++) {
    if (j !== anchorRow && !has(forbidden, anchorRow, j)) allowed.push(j);
  }
  const favoured = allowed.filter((j) => has(preferred, anchorRow, j));
  return favoured.length > 0 ? favoured : allowed;
}

/**
 * Picks one negative per anchor among the positives of the OTHER pairs of the batch.
 *
 * `anchors` and `positives` are [b, d] embeddings where row i of `positives` is anchor i's true pair (the
 * diagonal of the distance matrix holds the positives). Returns, for each anchor, the row of `positives` to use
 * as its negative, or -1 when the anchor has no allowed candidate (a batch of one, or every other row
 * forbidden); such anchors must be left out of the loss.
 *
 * Semi-hard rule and its fallback (as TF Addons' `triplet_semihard_loss`): take the closest candidate that is
 * strictly farther than the positive. When the semi-hard band is not empty this is its hardest member; when it
 * is empty but some candidates lie beyond the band, it is the nearest of those (the triplet then adds no loss,
 * which is right: the anchor is already well separated). When every candidate is closer than the positive, take
 * the farthest of them: the least hard of the hard negatives, which keeps the early, noisy epochs from collapsing
 * the embedding the way always-hardest mining can. Ties go to the lowest row.
 *
 * Reads the distances back synchronously; tensors are created and freed inside tf.tidy, nothing leaks.
 */
export function mineNegatives(anchors: tf.Tensor2D, positives: tf.Tensor2D, options: MiningOptions): number[] {
  const b = anchors.shape[0];
  if (positives.shape[0] !== b) {
    throw new RangeError(`mineNegatives needs as many positives as anchors, got ${positives.shape[0]} and ${b}`);
  }
  const candidates = Array.from({ length: b }, (_, i) => negativeCandidates(i, b, options));

  if (options.strategy === 'random') {
    const random = options.random;
    if (!random) throw new Error('random mining needs options.random (a seeded stream)');
    return candidates.map((c) => (c.length > 0 ? c[random.int(c.length)] : -1));
  }

  const distances = tf.tidy(() => pairwiseDistance(anchors, positives, options.distance).arraySync());
  return candidates.map((c, i) => {
    if (c.length === 0) return -1;
    const row = distances[i];
    if (options.strategy === 'hard') return argBest(c, row, (x, best) => x < best);
    const positive = row[i];
    const farther = c.filter((j) => row[j] > positive);
    return farther.length > 0
      ? argBest(farther, row, (x, best) => x < best)
      : argBest(c, row, (x, best) => x > best);
  });
}

/** Random negatives without embeddings: for each of `count` pairs, another pair uniformly, or -1 if none. */
export function randomNegatives(
  count: number,
  random: Random,
  forbidden?: RowCouples,
): number[] {
  return Array.from({ length: count }, (_, i) => {
    // Rejection first: O(1) per anchor for a large validation set; the exact list only when rejection stalls.
    for (let attempt = 0; attempt < 32 && count > 1; attempt++) {
      const j = random.int(count - 1);
      const candidate = j >= i ? j + 1 : j;
      if (!has(forbidden, i, candidate)) return candidate;
    }
    const c = negativeCandidates(i, count, { forbidden });
    return c.length > 0 ? c[random.int(c.length)] : -1;
  });
}

function argBest(rows: number[], values: number[], better: (x: number, best: number) => boolean): number {
  let best = rows[0];
  for (const j of rows) if (better(values[j], values[best])) best = j;
  return best;
}

function has(couples: RowCouples | undefined, anchorRow: number, candidateRow: number): boolean {
  if (!couples) return false;
  if (couples instanceof Set) return couples.has(negativeKey(anchorRow, candidateRow));
  return (couples as readonly (readonly boolean[])[])[anchorRow]?.[candidateRow] === true;
}
