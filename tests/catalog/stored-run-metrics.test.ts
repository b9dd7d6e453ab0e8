import { describe, expect, it } from 'vitest';
import { decodeRunMetrics } from '../../src-main/catalog/stored-run-metrics.ts';

const retrieval = (queries: number) => ({ queries, gallery: queries, recall: { '1': 0.5, '5': 0.8, '10': 1 }, mrr: 0.6, rocAuc: 0.9 });

/** Metrics as runs stored them before open-set calibration (tau maximised F1, sometimes on test). */
const old = (valQueries: number | null, calibratedOn: 'val' | 'test' | null, tau: number | null = 0.42) =>
  JSON.stringify({ test: retrieval(7), val: valQueries === null ? null : retrieval(valQueries), tau, tauF1: 0.8, tauPrecision90: 0.42, calibratedOn });

describe('decodeRunMetrics', () => {
  it('loads an old run calibrated on 6 val pairs as uncalibrated, dropping its six-pair tau', () => {
    const m = decodeRunMetrics(old(6, 'val'));
    expect(m.tau).toBeNull();
    expect(m.calibration).toMatchObject({ state: 'uncalibrated', valPairs: 6, minValPairs: 20, rule: null });
    expect(m.test).toEqual(retrieval(7));
    expect(m).not.toHaveProperty('tauPrecision90');
  });

  it('keeps the tau of an old run calibrated on at least 20 val pairs, saying it maximised F1 and has no open-set rates', () => {
    const m = decodeRunMetrics(old(25, 'val'));
    expect(m.tau).toBe(0.42);
    expect(m.calibration).toEqual({
      state: 'calibrated', valPairs: 25, minValPairs: 20, targetFalseMatchRate: 0.05, rule: 'max-f1',
      falseMatchRate: null, trueMatchRate: null, valFalseMatchRate: null, valTrueMatchRate: null,
    });
  });

  it('treats an old run calibrated on test, or without val, as uncalibrated', () => {
    expect(decodeRunMetrics(old(1, 'test'))).toMatchObject({ tau: null, calibration: { state: 'uncalibrated', valPairs: 1 } });
    expect(decodeRunMetrics(old(null, 'test'))).toMatchObject({ tau: null, calibration: { state: 'uncalibrated', valPairs: null } });
    expect(decodeRunMetrics(old(30, null, null))).toMatchObject({ tau: null, calibration: { state: 'uncalibrated', valPairs: 30 } });
  });

  it('reads today\'s metrics back as they were written', () => {
    const now = {
      test: retrieval(30),
      val: retrieval(30),
      tau: 0.61,
      calibration: { state: 'calibrated', valPairs: 30, minValPairs: 20, targetFalseMatchRate: 0.05, rule: 'open-set', falseMatchRate: 0.1, trueMatchRate: 0.7, valFalseMatchRate: 0.033, valTrueMatchRate: 0.8 },
    };
    expect(decodeRunMetrics(JSON.stringify(now))).toEqual(now);
  });
});
