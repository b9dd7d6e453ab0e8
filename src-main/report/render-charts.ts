import type { EpochRow } from '../../src-shared/training-types.ts';
import { inlineScript, jsonForScript } from './html-escape.ts';

/** The series the charts draw, one value per epoch (null where an epoch has no val measurement). */
export interface ChartSeries {
  epochs: number[];
  loss: number[];
  valLoss: Array<number | null>;
  recall1: Array<number | null>;
  recall5: Array<number | null>;
  mrr: Array<number | null>;
}

/** Per-epoch series of a run. */
export function chartSeries(epochs: EpochRow[]): ChartSeries {
  return {
    epochs: epochs.map((e) => e.epoch),
    loss: epochs.map((e) => e.loss),
    valLoss: epochs.map((e) => e.valLoss),
    recall1: epochs.map((e) => e.val?.recall1 ?? null),
    recall5: epochs.map((e) => e.val?.recall5 ?? null),
    mrr: epochs.map((e) => e.val?.mrr ?? null),
  };
}

/** True when at least one epoch measured retrieval on val: only then is the val-metric chart drawn. */
export function hasValMetrics(s: ChartSeries): boolean {
  return s.recall1.some((v) => v !== null);
}

/**
 * Runs in the page: draws the charts from the JSON block. Animation is off so a printed or screenshotted report
 * shows the final lines; without Chart.js (a mail client that strips scripts) the epoch table still says it all.
 */
const DRAW_CHARTS = `(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  if (typeof Chart === 'undefined') return;
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  function line(label, values, colour, dashed) {
    return { label: label, data: values, borderColor: colour, backgroundColor: colour, borderDash: dashed ? [6, 4] : [], spanGaps: true, tension: 0.15, pointRadius: 2 };
  }
  function chart(id, datasets, yTitle, yMax) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: 'line',
      data: { labels: data.epochs, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { title: { display: true, text: 'epoch' } }, y: { title: { display: true, text: yTitle }, min: yMax ? 0 : undefined, max: yMax } },
      },
    });
  }
  chart('loss-chart', [line('train loss', data.loss, '#2563eb'), line('val loss', data.valLoss, '#dc2626', true)], 'triplet loss');
  chart('val-chart', [line('val Recall@1', data.recall1, '#059669'), line('val Recall@5', data.recall5, '#7c3aed'), line('val MRR', data.mrr, '#d97706', true)], 'on the val split', 1);
})();`;

/** The chart section: canvases, their data as inert JSON, Chart.js inlined, and the script that draws them. */
export function renderCharts(series: ChartSeries, chartJs: string): string {
  if (!series.epochs.length) return '<p class="muted">No finished epoch yet: nothing to chart.</p>';
  const val = hasValMetrics(series);
  return `<div class="charts">
  <figure><div class="chart-box"><canvas id="loss-chart" role="img" aria-label="train and val loss per epoch"></canvas></div>
    <figcaption>Triplet loss per epoch: train (solid) and val (dashed).</figcaption></figure>
  ${val
    ? `<figure><div class="chart-box"><canvas id="val-chart" role="img" aria-label="val Recall@1, Recall@5 and MRR per epoch"></canvas></div>
    <figcaption>Retrieval on the val split after each epoch (right images ranked against left images).</figcaption></figure>`
    : `<p class="muted">No val retrieval per epoch (the dataset has no val pairs, or the run predates the measurement).</p>`}
</div>
<script type="application/json" id="chart-data">${jsonForScript(series)}</script>
<script>${inlineScript(chartJs)}</script>
<script>${inlineScript(DRAW_CHARTS)}</script>`;
}
