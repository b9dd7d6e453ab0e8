import type { RetrievalScores, RunMetrics } from '../../../src-shared/query-types.ts';
import { MIN_CALIBRATION_PAIRS, TARGET_FALSE_MATCH_RATE, uncalibrated } from '../../../src-shared/calibration-policy.ts';
import { calibrateOpenSet, openSetRates, type OpenSetScores } from './open-set-calibration.ts';
import { EvalError, meanReciprocalRank, rankOfTrueMatch, recallAtK } from './retrieval-metrics.ts';
import { rocAuc, sampleNonPairs } from './verification-metrics.ts';

/**
 * Retrieval scores plus the raw similarities behind them: the true pairs, one seeded non-pair per query (what ROC
 * AUC is computed on) and every non-pair (what tau and F1 are computed on).
 */
export interface PairedSetScores {
  scores: RetrievalScores;
  positives: Float64Array;
  /** One seeded non-pair per query: the balanced set ROC AUC is defined on. */
  negatives: Float64Array;
  /** Every non-pair (query × other gallery items): what a query actually competes with, for calibrating tau. */
  allNegatives: Float64Array;
  /** Per query: its true match's score and rank-1 flag, and its best score once the true match is removed. */
  openSet: OpenSetScores;
}

/**
 * Evaluates any similarity (cosine of embeddings, pHash agreement, …) on n pairs: query i (a right image) is
 * ranked against all n gallery items (the left images), and gallery i is its true match. Ties count against the
 * true match (see rankOfTrueMatch). ROC AUC compares the n true pairs with n seeded non-pairs (one per query).
 * This is the one place runs, `eval` and the report turn a similarity into metrics.
 * @throws EvalError EMPTY_INPUT when n is 0.
 */
export function scorePairedSets(n: number, similarity: (query: number, gallery: number) => number, seed = 42): PairedSetScores {
  if (n === 0) throw new EvalError('EMPTY_INPUT', 'nothing to evaluate: no pairs');
  const ranks: number[] = [];
  const positives = new Float64Array(n);
  const allNegatives = new Float64Array(n * (n - 1));
  const firstRanked = new Uint8Array(n);
  const impostorBest = new Float64Array(n).fill(-Infinity);
  const row = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    for (let g = 0; g < n; g++) row[g] = similarity(q, g);
    positives[q] = row[q];
    const rank = rankOfTrueMatch(row, q);
    ranks.push(rank);
    firstRanked[q] = rank === 1 ? 1 : 0;
    let k = q * (n - 1);
    for (let g = 0; g < n; g++) {
      if (g === q) continue;
      allNegatives[k++] = row[g];
      if (row[g] > impostorBest[q]) impostorBest[q] = row[g];
    }
  }
  let negatives = new Float64Array(0);
  let auc: number | null = null;
  if (n >= 2) {
    const labels = Array.from({ length: n }, (_, i) => i);
    negatives = Float64Array.from(sampleNonPairs(labels, labels, seed), ({ query, gallery }) => similarity(query, gallery));
    auc = rocAuc(positives, negatives);
  }
  return {
    scores: {
      queries: n,
      gallery: n,
      recall: recallAtK(ranks, [1, 5, 10]) as RetrievalScores['recall'],
      mrr: meanReciprocalRank(ranks),
      rocAuc: auc,
    },
    positives,
    negatives,
    allNegatives,
    openSet: { genuine: positives, firstRanked, impostorBest },
  };
}

/**
 * Open-set scores of n queries against a gallery of their n partners (gallery 0…n−1) plus m distractors (gallery
 * n…n+m−1: images that are no query's match, such as the run's training logos). What tau is calibrated on: the
 * best impostor of a query grows with the gallery, so a threshold fitted against a 27-image val gallery lets far
 * more impostors through in a catalog of hundreds (measured on the icons set: false-match rate 0.22 on a 68-image
 * test gallery for a tau calibrated at 0.05 without distractors, 0.03 with them; docs/training-heads.md).
 */
export function openSetScores(n: number, m: number, similarity: (query: number, gallery: number) => number): OpenSetScores {
  if (n === 0) throw new EvalError('EMPTY_INPUT', 'nothing to calibrate on: no pairs');
  const genuine = new Float64Array(n);
  const firstRanked = new Uint8Array(n);
  const impostorBest = new Float64Array(n).fill(-Infinity);
  const row = new Float64Array(n + m);
  for (let q = 0; q < n; q++) {
    for (let g = 0; g < n + m; g++) row[g] = similarity(q, g);
    genuine[q] = row[q];
    firstRanked[q] = rankOfTrueMatch(row, q) === 1 ? 1 : 0;
    for (let g = 0; g < n + m; g++) if (g !== q && row[g] > impostorBest[q]) impostorBest[q] = row[g];
  }
  return { genuine, firstRanked, impostorBest };
}

/**
 * The run's metrics from its val and test scores. tau is calibrated on val only — never on the split the run
 * reports, and never on test as a fallback — by the open-set rule (calibrateOpenSet, TARGET_FALSE_MATCH_RATE),
 * and the run then stores how that tau holds on test. A val split of fewer than MIN_CALIBRATION_PAIRS pairs gives
 * an `uncalibrated` run without tau: a threshold fitted to six pairs would be noise presented as a verdict.
 */
export function runMetrics(val: PairedSetScores | null, test: PairedSetScores | null, calibrationSet?: OpenSetScores): RunMetrics {
  const valPairs = val?.scores.queries ?? 0;
  const scores = { test: test?.scores ?? null, val: val?.scores ?? null };
  if (!val || valPairs < MIN_CALIBRATION_PAIRS) return { ...scores, tau: null, calibration: uncalibrated(valPairs) };
  // `calibrationSet`: the val queries against val plus distractors (openSetScores); else the val gallery alone.
  const choice = calibrateOpenSet(calibrationSet ?? val.openSet, TARGET_FALSE_MATCH_RATE);
  const onTest = test ? openSetRates(test.openSet, choice.tau) : null;
  return {
    ...scores,
    tau: choice.tau,
    calibration: {
      ...uncalibrated(valPairs),
      state: 'calibrated',
      rule: 'open-set',
      falseMatchRate: onTest?.falseMatchRate ?? null,
      trueMatchRate: onTest?.trueMatchRate ?? null,
      valFalseMatchRate: choice.falseMatchRate,
      valTrueMatchRate: choice.trueMatchRate,
    },
  };
}
