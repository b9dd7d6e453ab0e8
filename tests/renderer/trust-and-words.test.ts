import { describe, expect, it } from 'vitest';
import { calibrationOf, defaultRunFor, MIN_CALIBRATION_PAIRS } from '../../src-renderer/src/lib/run-trust.ts';
import { explainError, withoutFlags } from '../../src-renderer/src/lib/error-words.ts';
import { histogram, scoreRange } from '../../src-renderer/src/lib/score-histogram.ts';
import { checkTop, checkTrainForm } from '../../src-renderer/src/lib/form-checks.ts';
import { defaultTrainForm } from '../../src-renderer/src/lib/train-defaults.ts';
import type { RunMetrics } from '../../src-shared/query-types.ts';
import { runSummary } from './fixtures.ts';

const scores = (queries: number) => ({ queries, gallery: queries, recall: { '1': 0.5, '5': 1, '10': 1 }, mrr: 0.6, rocAuc: 0.8 });
const m = (over: Partial<RunMetrics>): RunMetrics => ({ test: scores(6), val: scores(12), tau: 0.6, tauF1: 0.8, tauPrecision90: null, calibratedOn: 'val', ...over });

describe('run calibration', () => {
  it('trusts a tau fitted on enough val pairs only', () => {
    expect(calibrationOf(runSummary(1, { metrics: m({}) }))).toMatchObject({ state: 'calibrated', pairs: 12, split: 'val' });
    // The bundled sample's 6 val pairs are too few to trust.
    expect(calibrationOf(runSummary(1, { metrics: m({ val: scores(6) }) })).state).toBe('weak');
    expect(calibrationOf(runSummary(1, { metrics: m({ val: scores(MIN_CALIBRATION_PAIRS - 1) }) })).state).toBe('weak');
    expect(calibrationOf(runSummary(1, { metrics: m({ calibratedOn: 'test', val: scores(1) }) })).state).toBe('weak');
    expect(calibrationOf(runSummary(1, { metrics: m({ tau: null, calibratedOn: null }) })).state).toBe('none');
    expect(calibrationOf(runSummary(1, { metrics: null })).state).toBe('none');
  });

  it('prefers, among equally good calibrated runs, the newer one', () => {
    const runs = [runSummary(2, { metrics: m({}) }), runSummary(3, { metrics: m({}) })];
    expect(defaultRunFor(runs, null)?.run.id).toBe(3);
    expect(defaultRunFor([], null)).toBeNull();
  });
});

describe('errors in the user\'s words', () => {
  it('never shows a command-line flag, and names the faulty training field', () => {
    const e = explainError({ code: 'BAD_TRAIN_CONFIG', message: '--epochs must be a whole number ≥ 1, not 0' });
    expect(e.field).toBe('epochs');
    expect(e.text).toBe('Epochs must be a whole number ≥ 1, not 0.');
    expect(`${e.text} ${e.next} ${e.details}`).not.toMatch(/--/);
    expect(explainError({ code: 'BAD_TRAIN_CONFIG', message: '--batch-size must be a whole number ≥ 2, not 1' }).field).toBe('batchSize');
  });

  it('explains a folder that is not paired, and points at the folder field', () => {
    const e = explainError({ code: 'NOT_PAIRED_FOLDER', message: '/x is not a paired folder: left/ is missing' });
    expect(e.text).toMatch(/left\/ folder of logos and a right\/ folder of look-alikes/);
    expect(e.text).not.toContain('NOT_PAIRED_FOLDER');
    expect(e.field).toBe('folder');
    expect(e.code).toBe('NOT_PAIRED_FOLDER');
  });

  it('rewrites the flags of a service message for the details fold', () => {
    expect(withoutFlags('a dataset named "x" already comes from /a; choose another --name')).toBe('a dataset named "x" already comes from /a; choose another name');
    expect(explainError({ code: 'DATASET_NAME_TAKEN', message: 'choose another --name' }).field).toBe('name');
  });

  it('has a sentence and a next step for codes it does not know', () => {
    const e = explainError({ code: 'SOMETHING_NEW', message: 'boom' });
    expect(e.text.length).toBeGreaterThan(10);
    expect(e.next.length).toBeGreaterThan(10);
    expect(e.details).toBe('boom');
  });
});

describe('the tau slider\'s scale', () => {
  it('fits the scores (and the threshold) instead of spanning -1 to 1', () => {
    expect(scoreRange([0.62, 0.71, 0.8], null)).toEqual({ min: 0.55, max: 0.85 });
    expect(scoreRange([0.62, 0.71, 0.8], 0.3)).toEqual({ min: 0.25, max: 0.85 });
    expect(scoreRange([0.99], null).max).toBe(1);
    expect(scoreRange([], null)).toEqual({ min: -1, max: 1 });
  });

  it('counts every score into a bin, the top edge into the last', () => {
    const counts = histogram([0, 0.05, 0.5, 1], { min: 0, max: 1 }, 10);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(counts[0]).toBe(2);
    expect(counts[5]).toBe(1);
    expect(counts[9]).toBe(1);
  });
});

describe('forms checked before sending', () => {
  it('marks out-of-range training settings by field and accepts the defaults', () => {
    expect(checkTrainForm(defaultTrainForm())).toEqual({});
    const bad = checkTrainForm({ ...defaultTrainForm(), epochs: 0, learningRate: 2, batchSize: 1 });
    expect(Object.keys(bad).sort()).toEqual(['batchSize', 'epochs', 'learningRate']);
    expect(Object.values(bad).join(' ')).not.toMatch(/--/);
    expect(checkTrainForm({ ...defaultTrainForm(), batchSize: '' as unknown as null })).toEqual({});
    // The bounds are the option registry's, the trainer's own: above its 1000 epochs is refused before sending.
    expect(checkTrainForm({ ...defaultTrainForm(), epochs: 1001 }).epochs).toBe('Epochs must be a whole number ≥ 1 and at most 1000.');
  });

  it('asks for 1 to 100 results', () => {
    expect(checkTop(10)).toBeUndefined();
    expect(checkTop(0)).toBeDefined();
    expect(checkTop(2.5)).toBeDefined();
  });
});
