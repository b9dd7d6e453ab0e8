import type { ChartData, ChartOptions } from 'chart.js';
import type { EpochRow, RunSummary } from '../../../src-shared/training-types.ts';

/** Calm colours that stay apart for people with the common colour-vision deficiencies (Okabe–Ito). */
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

/** One run's curves: train loss and val loss on the left axis, val Recall@1 on the right one (0–1). */
export function lossChartData(epochs: readonly EpochRow[]): ChartData<'line', (number | null)[], number> {
  const hasRecall = epochs.some((e) => e.val?.recall1 != null);
  const datasets: ChartData<'line', (number | null)[], number>['datasets'] = [
    { label: 'train loss', data: epochs.map((e) => e.loss), borderColor: COLORS[0], backgroundColor: COLORS[0], yAxisID: 'y' },
    { label: 'val loss', data: epochs.map((e) => e.valLoss), borderColor: COLORS[1], backgroundColor: COLORS[1], yAxisID: 'y' },
  ];
  if (hasRecall) {
    datasets.push({
      label: 'val Recall@1',
      data: epochs.map((e) => e.val?.recall1 ?? null),
      borderColor: COLORS[2],
      backgroundColor: COLORS[2],
      borderDash: [6, 4],
      yAxisID: 'y1',
    });
  }
  return { labels: epochs.map((e) => e.epoch), datasets };
}

/** Two or more runs' loss curves on one chart, epoch by epoch; val loss dashed in the run's colour. */
export function compareChartData(runs: readonly RunSummary[]): ChartData<'line', (number | null)[], number> {
  const longest = Math.max(0, ...runs.map((r) => r.epochs.length ? r.epochs[r.epochs.length - 1].epoch : 0));
  const labels = Array.from({ length: longest }, (_, i) => i + 1);
  const at = (run: RunSummary, pick: (e: EpochRow) => number | null) =>
    labels.map((epoch) => {
      const row = run.epochs.find((e) => e.epoch === epoch);
      return row ? pick(row) : null;
    });
  const datasets = runs.flatMap((run, i) => {
    const color = COLORS[i % COLORS.length];
    return [
      { label: `run #${run.id} train loss`, data: at(run, (e) => e.loss), borderColor: color, backgroundColor: color, yAxisID: 'y' },
      { label: `run #${run.id} val loss`, data: at(run, (e) => e.valLoss), borderColor: color, backgroundColor: color, borderDash: [6, 4], yAxisID: 'y' },
    ];
  });
  return { labels, datasets };
}

/** Options shared by the charts: no animation (points arrive live), a right axis for Recall@1 when present. */
/**
 * Tick labels without Intl: chart.js's default formatter builds an Intl.NumberFormat for its first labels, the
 * longest part of the main-thread task that draws a new chart (npm run bench:ui --profile).
 */
const tick = (value: number | string): string => {
  const n = Number(value);
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 1 ? 1 : 2);
};

export function lineChartOptions(withRecallAxis: boolean): ChartOptions<'line'> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    spanGaps: true,
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { position: 'bottom' } },
    scales: {
      x: { title: { display: true, text: 'epoch' }, ticks: { callback: tick } },
      y: { title: { display: true, text: 'loss' }, beginAtZero: true, ticks: { callback: tick } },
      ...(withRecallAxis
        ? { y1: { position: 'right' as const, min: 0, max: 1, title: { display: true, text: 'Recall@1' }, grid: { drawOnChartArea: false }, ticks: { callback: tick } } }
        : {}),
    },
  };
}
