/**
 * Choosing the similarity threshold τ above which the app calls two images "a match" (match = score ≥ τ),
 * from the scores of known pairs (positives) and known non-pairs (negatives) of a validation split.
 * Candidate thresholds are the observed scores themselves: between two observed scores every τ classifies
 * the data identically, so nothing else can do better on this data.
 */
import { EvalError } from './retrieval-metrics.ts';

/** Quality of one threshold on the calibration scores. */
export interface ThresholdChoice {
  /** Lowest score still called a match; an observed score. */
  tau: number;
  f1: number;
  precision: number;
  recall: number;
}

/** Counts at one candidate threshold. */
interface SweepPoint {
  tau: number;
  tp: number;
  fp: number;
}

function checkScores(scores: ArrayLike<number>, what: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new EvalError('NON_FINITE', `${what}[${i}] is ${scores[i]}`);
  }
}

/**
 * True/false positive counts at every distinct observed score, from the highest threshold to the lowest.
 * One sort, then a linear sweep in which each tie group enters together (all equal scores fall on the same
 * side of τ).
 */
function sweep(positives: ArrayLike<number>, negatives: ArrayLike<number>): SweepPoint[] {
  if (positives.length === 0) throw new EvalError('EMPTY_INPUT', 'calibration needs at least one positive score');
  checkScores(positives, 'positives');
  checkScores(negatives, 'negatives');
  const items: { score: number; positive: boolean }[] = [];
  for (let i = 0; i < positives.length; i++) items.push({ score: positives[i], positive: true });
  for (let i = 0; i < negatives.length; i++) items.push({ score: negatives[i], positive: false });
  items.sort((a, b) => b.score - a.score);

  const points: SweepPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < items.length; ) {
    const tau = items[i].score;
    for (; i < items.length && items[i].score === tau; i++) {
      if (items[i].positive) tp++;
      else fp++;
    }
    points.push({ tau, tp, fp });
  }
  return points;
}

function describe({ tau, tp, fp }: SweepPoint, nPos: number): ThresholdChoice {
  return { tau, precision: tp / (tp + fp), recall: tp / nPos, f1: (2 * tp) / (tp + fp + nPos) };
}

/**
 * The threshold with the highest F1 on the given scores. Among equally good thresholds the highest τ wins,
 * i.e. the one that calls fewest things a match.
 * @throws EvalError EMPTY_INPUT without positives (F1 is undefined), NON_FINITE for NaN/∞ scores.
 */
export function tauMaxF1(positives: ArrayLike<number>, negatives: ArrayLike<number>): ThresholdChoice {
  const nPos = positives.length;
  let best: ThresholdChoice | undefined;
  for (const point of sweep(positives, negatives)) {
    const choice = describe(point, nPos);
    if (!best || choice.f1 > best.f1) best = choice;
  }
  // sweep() always returns at least one point because it refuses empty positives.
  return best!;
}

/**
 * F1 of "score ≥ tau means match" on these scores: how a threshold chosen elsewhere (a run's tau, calibrated on
 * its val split) does on another split. Same counts and formula as the calibration sweep.
 * @throws EvalError EMPTY_INPUT without positives, NON_FINITE for NaN/∞ scores.
 */
export function f1At(tau: number, positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  if (positives.length === 0) throw new EvalError('EMPTY_INPUT', 'F1 needs at least one positive score');
  checkScores(positives, 'positives');
  checkScores(negatives, 'negatives');
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i] >= tau) tp++;
  for (let i = 0; i < negatives.length; i++) if (negatives[i] >= tau) fp++;
  return describe({ tau, tp, fp }, positives.length).f1;
}
