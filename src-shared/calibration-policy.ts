import type { RunCalibration } from './query-types.ts';

/**
 * The one place the match-threshold policy is set: how many val pairs a run needs before Lookalike trusts a
 * threshold calibrated on them, and which open-set false-match rate that threshold must hold on val.
 *
 * Why open-set: a user queries images whose true match may not be in the catalog at all (a brand never imported).
 * "match" must then stay silent, so tau is set the way open-set identification systems set theirs — on the
 * false-positive identification rate of searches whose mate is absent (FPIR), accepting the false-negative
 * identification rate (FNIR) that follows (Grother et al., NIST FRVT Part 2: 1:N identification, NISTIR 8271).
 * Lookalike's false-match rate is FPIR, its true-match rate is 1 − FNIR at rank 1.
 */

/**
 * A run needs at least this many val pairs to be calibrated. With fewer, a false-match rate of 5 % is not even
 * one query (6 pairs: each false match is 17 %), so any tau would be noise fitted to a handful of images; the run
 * stays `uncalibrated` and shows no match verdicts until the user gives a threshold.
 */
export const MIN_CALIBRATION_PAIRS = 20;

/**
 * The open-set false-match rate tau must not exceed on val: at most 1 in 20 queries whose true match is not in
 * the catalog may still get "match". The target (≤ 0.05 at a true-match rate ≥ 0.80).
 */
export const TARGET_FALSE_MATCH_RATE = 0.05;

/** The calibration of a run that has no trustworthy threshold (too few val pairs, or unknown for an old run). */
export function uncalibrated(valPairs: number | null): RunCalibration {
  return {
    state: 'uncalibrated',
    valPairs,
    minValPairs: MIN_CALIBRATION_PAIRS,
    targetFalseMatchRate: TARGET_FALSE_MATCH_RATE,
    rule: null,
    falseMatchRate: null,
    trueMatchRate: null,
    valFalseMatchRate: null,
    valTrueMatchRate: null,
  };
}

/** One line telling a user of an uncalibrated run how to get match verdicts. */
export function uncalibratedAdvice(c: RunCalibration): string {
  const had = c.valPairs === null ? 'val pairs not recorded' : `${c.valPairs} val pair${c.valPairs === 1 ? '' : 's'}`;
  return `uncalibrated (${had}; calibration needs ${c.minValPairs}): import more pairs and train again, or pass --tau T to judge matches yourself`;
}
