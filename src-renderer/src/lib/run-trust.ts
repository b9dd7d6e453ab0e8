import type { RunSummary } from '../../../src-shared/training-types.ts';
import type { RunCalibration } from '../../../src-shared/query-types.ts';
import { MIN_CALIBRATION_PAIRS, uncalibrated } from '../../../src-shared/calibration-policy.ts';

/**
 * Fewest val pairs a run must have been calibrated on: the trainer's one constant (src-shared/calibration-policy.ts).
 * The trainer stores no tau at all for a run with fewer (`metrics.calibration.state` is `uncalibrated`), so the app
 * never has a six-pair threshold to show. The bundled sample (6 val pairs) is below it: its tau used to call 7 of
 * 10 results of an unknown brand a match.
 */
export { MIN_CALIBRATION_PAIRS };

/**
 * How far a run's tau can be trusted:
 * - `calibrated`: the trainer calibrated tau open-set on at least MIN_CALIBRATION_PAIRS val pairs (or, for a run
 *   trained before that, maximised F1 on that many);
 * - `none`: no tau (uncalibrated: too few val pairs) — badges stay hidden until the user sets one.
 */
export type CalibrationState = 'calibrated' | 'none';

/** A run's calibration, as the model picker and the tau panel describe it. */
export interface Calibration {
  state: CalibrationState;
  tau: number | null;
  /** The split tau was fitted on (always val now). */
  split: 'val' | 'test' | null;
  /** How many val pairs the run had, when known. */
  pairs: number | null;
  /** F1 at tau on that split: only runs trained before open-set calibration had it; null now. */
  f1: number | null;
  /** The rule tau was chosen by (see RunCalibration.rule). */
  rule: RunCalibration['rule'];
  /** On the test split at tau: false-match rate of queries whose true match is absent, and true-match rate. */
  falseMatchRate: number | null;
  trueMatchRate: number | null;
  /** The false-match rate tau was held to on val. */
  targetFalseMatchRate: number;
}

/** The calibration of a run, from its stored metrics only (RunMetrics.calibration, which the server always fills). */
export function calibrationOf(run: Pick<RunSummary, 'metrics'> | null | undefined): Calibration {
  const m = run?.metrics;
  const c = m?.calibration ?? uncalibrated(null);
  const base = { split: null, pairs: c.valPairs, f1: null, rule: c.rule, falseMatchRate: c.falseMatchRate, trueMatchRate: c.trueMatchRate, targetFalseMatchRate: c.targetFalseMatchRate };
  if (!m || m.tau == null || c.state !== 'calibrated') return { ...base, state: 'none', tau: null };
  return { ...base, state: 'calibrated', tau: m.tau, split: 'val' };
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
  return `calibrated on ${c.pairs ?? '?'} val pairs`;
}
