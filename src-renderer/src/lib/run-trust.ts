import type { RunSummary } from '../../../src-shared/training-types.ts';

/**
 * Fewest val pairs a tau may be fitted on and still be trusted for match badges. tau maximises F1 over n true
 * pairs against n·(n−1) non-pairs (src-main/ml/metrics/score-paired-sets.ts): below 10 true pairs one pair moves
 * F1 by 10 points or more, so the threshold says more about those pairs than about the model. The bundled
 * sample (6 val pairs) is below it on purpose: its tau called 7 of 10 results of an unknown brand a match.
 */
export const MIN_CALIBRATION_PAIRS = 10;

/**
 * How far a run's tau can be trusted:
 * - `calibrated`: tau maximised F1 on the val split, over at least MIN_CALIBRATION_PAIRS pairs;
 * - `weak`: tau exists but was fitted on fewer val pairs, or on the test split (the trainer's fallback when val
 *   has under 2 pairs — the split the run's test metrics come from, so they are no longer held out);
 * - `none`: no tau at all (no val or test pairs; queries then fall back to 0.50, which means nothing).
 */
export type CalibrationState = 'calibrated' | 'weak' | 'none';

/** A run's calibration, as the model picker and the tau panel describe it. */
export interface Calibration {
  state: CalibrationState;
  tau: number | null;
  /** The split tau was fitted on. */
  split: 'val' | 'test' | null;
  /** How many true pairs of that split it was fitted on, when known. */
  pairs: number | null;
  /** F1 at tau on that split. */
  f1: number | null;
}

/** The calibration of a run, from its stored metrics only (RunMetrics). */
export function calibrationOf(run: Pick<RunSummary, 'metrics'> | null | undefined): Calibration {
  const m = run?.metrics;
  if (!m || m.tau == null) return { state: 'none', tau: null, split: null, pairs: null, f1: null };
  const split = m.calibratedOn;
  const pairs = split ? (m[split]?.queries ?? null) : null;
  const state = split === 'val' && pairs !== null && pairs >= MIN_CALIBRATION_PAIRS ? 'calibrated' : 'weak';
  return { state, tau: m.tau, split, pairs, f1: m.tauF1 };
}

/** Test Recall@1, or -1 when the run has none (ranks below every measured run). */
const testR1 = (run: RunSummary) => run.metrics?.test?.recall['1'] ?? -1;

/** Why a run is the default: the user's picker says which rule chose it. */
export interface DefaultRun {
  run: RunSummary;
  /** false: no finished run of the dataset is calibrated; this is the best uncalibrated one. */
  calibrated: boolean;
}

/**
 * The run a query uses unless the user picks one: among finished runs of the dataset (every dataset when null),
 * the calibrated one with the best test Recall@1; newer wins a tie. When none is calibrated, the best by the same
 * order (its badges stay hidden until the user sets tau). Not the newest run: a 2-epoch trial on 5 pairs must not
 * silently become the model every query trusts.
 */
export function defaultRunFor(runs: readonly RunSummary[], datasetId: number | null): DefaultRun | null {
  const finished = runs.filter((r) => r.status === 'done' && (datasetId === null || r.datasetId === datasetId));
  const best = (list: RunSummary[]) => [...list].sort((a, b) => testR1(b) - testR1(a) || b.id - a.id)[0];
  const calibrated = finished.filter((r) => calibrationOf(r).state === 'calibrated');
  if (calibrated.length) return { run: best(calibrated), calibrated: true };
  return finished.length ? { run: best(finished), calibrated: false } : null;
}

/** One line about a calibration, for people. */
export function describeCalibration(c: Calibration): string {
  if (c.state === 'none') return 'not calibrated';
  const on = c.split === 'test' ? 'the test split' : `${c.pairs ?? '?'} val pairs`;
  return c.state === 'calibrated' ? `calibrated on ${on}` : `weakly calibrated (on ${on})`;
}
