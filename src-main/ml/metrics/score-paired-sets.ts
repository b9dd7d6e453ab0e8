import type { RetrievalScores, RunMetrics } from '../../../src-shared/query-types.ts';
import { tauForPrecision, tauMaxF1 } from './calibrate-threshold.ts';
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
  const row = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    for (let g = 0; g < n; g++) row[g] = similarity(q, g);
    positives[q] = row[q];
    ranks.push(rankOfTrueMatch(row, q));
    let k = q * (n - 1);
    for (let g = 0; g < n; g++) if (g !== q) allNegatives[k++] = row[g];
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
  };
}

/**
 * The run's metrics from its val and test scores: tau maximises F1 on val (a run is never calibrated on the
 * split it reports), falling back to test when val has fewer than 2 pairs — and saying so in `calibratedOn`.
 * Calibration weighs the true pairs against EVERY non-pair of the split, not one per query: a query competes
 * with the whole gallery, and on a small split one sampled non-pair per query set tau far too low (0.14 on the
 * sample's 6 val pairs, calling nearly everything a match).
 */
export function runMetrics(val: PairedSetScores | null, test: PairedSetScores | null): RunMetrics {
  const calib = val && val.negatives.length ? { set: val, on: 'val' as const } : test && test.negatives.length ? { set: test, on: 'test' as const } : null;
  if (!calib) return { test: test?.scores ?? null, val: val?.scores ?? null, tau: null, tauF1: null, tauPrecision90: null, calibratedOn: null };
  const best = tauMaxF1(calib.set.positives, calib.set.allNegatives);
  const p90 = tauForPrecision(calib.set.positives, calib.set.allNegatives, 0.9);
  return {
    test: test?.scores ?? null,
    val: val?.scores ?? null,
    tau: best.tau,
    tauF1: best.f1,
    tauPrecision90: p90.tau,
    calibratedOn: calib.on,
  };
}
