/**
 * What a run trains on, assembled from the catalog's pairs without tfjs: which pairs are train / val / test, each
 * pair's two images, and which pairs must never be each other's negatives (users' "match" marks, the reversed
 * copies of symmetric training, a logo's synthetic look-alikes) or should be first (users' "not a match" marks).
 * Pair indices are positions in `left` / `right`; the order is the catalog's (by pair name), so the same catalog
 * gives the same indices, batches and numbers on every run.
 */
import type { StoredPair } from '../catalog/datasets.ts';
import type { TrainingFeedback } from '../catalog/feedback.ts';
import type { ImageRef } from '../model-store/feature-cache.ts';

/** Training data the loop reads: pair indices and each pair's images. */
export interface TrainingData {
  trainPairs: number[];
  valPairs: number[];
  testPairs: number[];
  left: ImageRef[];
  right: ImageRef[];
  /** From users' marks: anchor pair → pairs to use as its negatives first. */
  extraNegatives: Map<number, number[]>;
  /** Anchor pair → pairs that are the same thing and must never be its negatives. */
  knownMatches: Map<number, number[]>;
}

/** Why there is nothing to train on. */
export class TrainingDataError extends Error {
  readonly code = 'TOO_FEW_PAIRS';
}

const imageRef = (image: { sha256: string; path: string }): ImageRef => ({ sha256: image.sha256, path: image.path });

/** Adds each of `related` to the known matches of every other one of them. */
function relate(known: Map<number, number[]>, related: readonly number[]): void {
  for (const a of related) known.set(a, [...(known.get(a) ?? []), ...related.filter((b) => b !== a)]);
}

/**
 * The pairs of a dataset as training data: val and test kept as they are, training pairs plus the users' marks
 * on query results (for training pairs only — val and test stay untouched by what users saw), and with
 * `symmetric` every training pair once more reversed.
 * @param feedback the users' marks mapped onto pair indices (catalog/feedback.ts trainingFeedback).
 * @throws TrainingDataError when fewer than 2 training pairs remain (a triplet needs another pair's negative).
 */
export function assembleTrainingData(
  pairs: readonly StoredPair[],
  feedback: (pairIndexOfImage: Map<number, number>) => TrainingFeedback,
  symmetric: boolean,
): TrainingData {
  const data: TrainingData = { trainPairs: [], valPairs: [], testPairs: [], left: [], right: [], extraNegatives: new Map(), knownMatches: new Map() };
  pairs.forEach((p, i) => {
    (p.split === 'train' ? data.trainPairs : p.split === 'val' ? data.valPairs : data.testPairs).push(i);
    data.left.push(imageRef(p.left));
    data.right.push(imageRef(p.right));
  });
  const trainIndexOf = new Map<number, number>();
  for (const i of data.trainPairs) {
    trainIndexOf.set(pairs[i].left.imageId, i);
    trainIndexOf.set(pairs[i].right.imageId, i);
  }
  const marks = feedback(trainIndexOf);
  data.extraNegatives = marks.extraNegatives;
  data.knownMatches = marks.knownMatches;
  const refOf = (imageId: number): ImageRef => {
    const p = pairs[trainIndexOf.get(imageId)!];
    return imageRef(p.left.imageId === imageId ? p.left : p.right);
  };
  for (const extra of marks.extraPositives) {
    const index = data.left.length;
    data.trainPairs.push(index);
    data.left.push(refOf(extra.leftImageId));
    data.right.push(refOf(extra.rightImageId));
    // The new pair shares its images with two real pairs: none of the three is a negative for another.
    const related = [trainIndexOf.get(extra.leftImageId)!, trainIndexOf.get(extra.rightImageId)!];
    data.knownMatches.set(index, related);
    for (const r of related) data.knownMatches.set(r, [...(data.knownMatches.get(r) ?? []), index]);
  }
  if (data.trainPairs.length < 2) {
    throw new TrainingDataError(`the dataset has ${data.trainPairs.length} training pairs; training needs at least 2`);
  }
  if (symmetric) {
    // Each training pair once more, reversed; the two are each other's match, never each other's negative.
    for (const i of [...data.trainPairs]) {
      const j = data.left.length;
      data.trainPairs.push(j);
      data.left.push(data.right[i]);
      data.right.push(data.left[i]);
      data.knownMatches.set(j, [i]);
      data.knownMatches.set(i, [...(data.knownMatches.get(i) ?? []), j]);
    }
  }
  return data;
}

/**
 * Adds synthetic look-alikes as extra training pairs (logo → variant). `variants[n]` are the variants of the
 * left image of `originals[n]`. A logo's own pair and its variants all show one brand, so none of them is ever
 * another's negative — otherwise the loss would push a logo away from its own copies.
 */
export function addLookalikePairs(data: TrainingData, originals: readonly number[], variants: readonly ImageRef[][]): TrainingData {
  originals.forEach((i, n) => {
    const group = [i];
    for (const variant of variants[n]) {
      group.push(data.left.length);
      data.trainPairs.push(data.left.length);
      data.left.push(data.left[i]);
      data.right.push(variant);
    }
    relate(data.knownMatches, group);
  });
  return data;
}
