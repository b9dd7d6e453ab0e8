/**
 * Reading a run's stored metrics JSON, whatever version wrote it. Runs trained before open-set calibration stored
 * `{ test, val, tau, tauF1, tauPrecision90, calibratedOn }`: their tau maximised F1, sometimes on a handful of val
 * pairs or even on test. Such a run keeps its tau only when it was calibrated on val with at least
 * MIN_CALIBRATION_PAIRS pairs; otherwise it loads as `uncalibrated`, so an old six-pair tau never gives verdicts.
 */
import { MIN_CALIBRATION_PAIRS, uncalibrated } from '../../src-shared/calibration-policy.ts';
import type { RetrievalScores, RunCalibration, RunMetrics } from '../../src-shared/query-types.ts';

interface StoredMetrics {
  test?: RetrievalScores | null;
  val?: RetrievalScores | null;
  tau?: number | null;
  calibration?: Partial<RunCalibration>;
  /** Before open-set calibration. */
  calibratedOn?: 'val' | 'test' | null;
}

/** The RunMetrics of a stored metrics JSON string, old runs upgraded as described above. */
export function decodeRunMetrics(json: string): RunMetrics {
  const raw = JSON.parse(json) as StoredMetrics;
  const test = raw.test ?? null;
  const val = raw.val ?? null;
  const tau = typeof raw.tau === 'number' ? raw.tau : null;
  if (raw.calibration) {
    const calibration = { ...uncalibrated(raw.calibration.valPairs ?? null), ...raw.calibration };
    return { test, val, tau: calibration.state === 'calibrated' ? tau : null, calibration };
  }
  const valPairs = val?.queries ?? null;
  if (tau !== null && raw.calibratedOn === 'val' && valPairs !== null && valPairs >= MIN_CALIBRATION_PAIRS) {
    return { test, val, tau, calibration: { ...uncalibrated(valPairs), state: 'calibrated', rule: 'max-f1' } };
  }
  return { test, val, tau: null, calibration: uncalibrated(valPairs) };
}
