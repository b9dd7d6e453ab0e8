import { describe, expect, it } from 'vitest';
import { createFrameBatcher } from '../../src-renderer/src/lib/frame-batcher.ts';
import { JobTracker } from '../../src-renderer/src/lib/job-tracker.ts';
import { columnsFor, visibleRows } from '../../src-renderer/src/lib/virtual-rows.ts';
import { ADVANCED_KEYS, BASIC_KEYS, defaultTrainForm, numberInputAttrs, placeholderFor, TRAIN_CHOICES, toTrainRequest } from '../../src-renderer/src/lib/train-defaults.ts';
import { checkTrainForm } from '../../src-renderer/src/lib/form-checks.ts';
import { TRAIN_OPTION_KEYS } from '../../src-shared/train-options.ts';
import { TRAIN_OPTIONS } from '../../src-shared/train-options.ts';
import { compareChartData, lossChartData } from '../../src-renderer/src/lib/chart-series.ts';
import { formatDuration } from '../../src-renderer/src/lib/format.ts';
import { fakeFrames } from './fake-api.ts';
import { epochRow, runSummary } from './fixtures.ts';

describe('frame batcher', () => {
  it('hands a frame\'s items over together, in order, once per frame', () => {
    const frames = fakeFrames();
    const batches: number[][] = [];
    const b = createFrameBatcher<number>((items) => batches.push(items), frames.schedule);
    for (let i = 0; i < 100; i++) b.push(i);
    expect(frames.waiting).toBe(1);
    expect(batches).toEqual([]);
    frames.tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    b.push(100);
    frames.tick();
    expect(batches).toEqual([batches[0], [100]]);
  });

  it('flushes at once when asked, and then the frame has nothing left to do', () => {
    const frames = fakeFrames();
    const batches: string[][] = [];
    const b = createFrameBatcher<string>((items) => batches.push(items), frames.schedule);
    b.push('a');
    b.flushNow();
    expect(batches).toEqual([['a']]);
    frames.tick();
    expect(batches).toEqual([['a']]);
  });

  it('falls back to a timer outside a page', async () => {
    const seen: number[] = [];
    const b = createFrameBatcher<number>((items) => seen.push(...items));
    b.push(1);
    b.push(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).toEqual([1, 2]);
  });
});

describe('job tracker', () => {
  it('holds events while a start is pending and lets only that job\'s through', () => {
    const t = new JobTracker<{ jobId: string; n: number }>();
    expect(t.admit({ jobId: 'a', n: 0 })).toBe(false);
    t.begin();
    expect(t.admit({ jobId: 'b', n: 1 })).toBe(false);
    expect(t.admit({ jobId: 'c', n: 2 })).toBe(false);
    expect(t.accept('b')).toEqual([{ jobId: 'b', n: 1 }]);
    expect(t.admit({ jobId: 'b', n: 3 })).toBe(true);
    expect(t.admit({ jobId: 'c', n: 4 })).toBe(false);
    t.reset();
    expect(t.admit({ jobId: 'b', n: 5 })).toBe(false);
  });
});

describe('virtual rows', () => {
  it('renders only the rows in view plus the overscan', () => {
    const w = visibleRows({ scrollTop: 10_000, viewport: 600, rowHeight: 100, rows: 5000, overscan: 2 });
    expect(w).toEqual({ start: 98, end: 108, offset: 9800, total: 500_000 });
    expect(w.end - w.start).toBeLessThan(20);
  });

  it('clamps at both ends and copes with an empty list', () => {
    expect(visibleRows({ scrollTop: -50, viewport: 300, rowHeight: 100, rows: 10, overscan: 1 })).toMatchObject({ start: 0, end: 4 });
    expect(visibleRows({ scrollTop: 99_999, viewport: 300, rowHeight: 100, rows: 10, overscan: 1 })).toMatchObject({ start: 6, end: 10, total: 1000 });
    expect(visibleRows({ scrollTop: 0, viewport: 300, rowHeight: 100, rows: 0 })).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it('fits as many columns as the width allows, at least one', () => {
    expect(columnsFor(1000, 230, 12)).toBe(4);
    expect(columnsFor(100, 230, 12)).toBe(1);
  });
});

describe('train form', () => {
  it("starts from the trainer's defaults and leaves backbone, mode, batch size and the feature recipe to the trainer", () => {
    expect(toTrainRequest(defaultTrainForm())).toEqual({
      epochs: 30, patience: 0, learningRate: 1e-3, margin: 0.5, mining: 'hard', pooling: 'flatten', head: 'whitened', distance: 'cosine', seed: 42, symmetric: false,
      embeddingSize: 256, augment: 2, augmentStyle: 'classic',
    });
    const form = { ...defaultTrainForm(), backbone: 'mobilenetv2' as const, mode: 'head' as const, batchSize: 8, epochs: 2 };
    expect(toTrainRequest(form)).toMatchObject({ backbone: 'mobilenetv2', mode: 'head', batchSize: 8, epochs: 2 });
  });

  it('shows every option of the registry once: the basic ones (augmentation among them) up front, the rest under Advanced', () => {
    expect([...BASIC_KEYS, ...ADVANCED_KEYS].sort()).toEqual([...TRAIN_OPTION_KEYS].sort());
    expect(new Set([...BASIC_KEYS, ...ADVANCED_KEYS]).size).toBe(TRAIN_OPTION_KEYS.length);
    expect(BASIC_KEYS).toContain('augment');
    expect(BASIC_KEYS).toContain('augmentStyle');
    // Every number option is checked before sending, the look-alike count too.
    expect(checkTrainForm({ ...defaultTrainForm(), augment: 17 }).augment).toBe('Synthetic look-alikes per logo must be a whole number ≥ 0 and at most 16.');
    expect(checkTrainForm({ ...defaultTrainForm(), inputSize: null })).toEqual({});
  });

  it('offers exactly the choices and bounds the trainer accepts, its default first', () => {
    for (const key of ['backbone', 'mode', 'mining', 'pooling', 'features', 'distance'] as const) {
      expect([...TRAIN_CHOICES[key]].sort(), key).toEqual([...TRAIN_OPTIONS[key].choices].sort());
    }
    expect(TRAIN_CHOICES.mining[0]).toBe('hard');
    expect(TRAIN_CHOICES.distance[0]).toBe('cosine');
    expect(numberInputAttrs('epochs')).toEqual({ min: 1, max: 1000, step: 1 });
    expect(numberInputAttrs('learningRate')).toMatchObject({ min: 0, max: 1, step: 'any' });
    expect(placeholderFor('batchSize')).toBe('automatic');
    expect(placeholderFor('epochs')).toBeUndefined();
  });
});

describe('chart series', () => {
  it('plots train loss, val loss and val Recall@1 on its own axis, one point per epoch', () => {
    const data = lossChartData([epochRow(1), epochRow(2), epochRow(3)]);
    expect(data.labels).toEqual([1, 2, 3]);
    expect(data.datasets.map((d) => [d.label, d.yAxisID, d.data.length])).toEqual([
      ['train loss', 'y', 3],
      ['val loss', 'y', 3],
      ['val Recall@1', 'y1', 3],
    ]);
    expect(lossChartData([{ epoch: 1, loss: 1, valLoss: null, seconds: 1 }]).datasets).toHaveLength(2);
  });

  it('lines two runs up epoch by epoch, with gaps where one is shorter', () => {
    const data = compareChartData([runSummary(1, { epochs: [epochRow(1)] }), runSummary(2, { epochs: [epochRow(1), epochRow(2), epochRow(3)] })]);
    expect(data.labels).toEqual([1, 2, 3]);
    expect(data.datasets.map((d) => d.label)).toEqual(['run #1 train loss', 'run #1 val loss', 'run #2 train loss', 'run #2 val loss']);
    expect(data.datasets[0].data).toEqual([1, null, null]);
  });
});

describe('format', () => {
  it('writes durations the way the progress line shows them', () => {
    expect(formatDuration(12.4)).toBe('12 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('—');
  });
});
