import type { EpochRow, RunSummary } from '../../src-shared/training-types.ts';
import { TRAIN_OPTIONS, type TrainOptionKey } from '../../src-shared/train-options.ts';
import type { ReportData, ReportExample, ReportResult, ScorerColumn } from './gather-report-data.ts';
import { escapeHtml as e } from './html-escape.ts';

/** 0.12345 → "0.123"; null → "—". */
export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** "2025-05-01T12:34:56.789Z" → "2025-05-01 12:34:56 UTC". */
function when(iso: string | null): string {
  return iso ? `${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC` : '—';
}

/** The run's record: status and dates, where the backbone came from, and every hyperparameter it stored. */
export function renderConfigTable(run: RunSummary, pairs: ReportData['pairs']): string {
  const status = `${run.status}${run.interrupted ? ' (interrupted: its process is gone)' : ''}`;
  const facts: Array<[string, string, string]> = [
    ['Dataset', run.datasetName, ''],
    ['Status', status, ''],
    ['Epochs done', `${run.epochsDone} of ${run.config.epochs}`, ''],
    ['Created', when(run.createdAt), ''],
    ['Finished', when(run.finishedAt), ''],
    ['Backbone weights', run.weightsSource, ''],
    ['Compute backend', run.backend, ''],
  ];
  if (run.error) facts.push(['Error', run.error, '']);
  // Every key the run stored, so a hyperparameter added later is shown even before it gets a label here.
  const hyper = Object.entries(run.config).map(([key, value]): [string, string, string] => {
    // Label and flag from the option registry: the flag shown is the one `lookalike train` takes.
    const option = TRAIN_OPTIONS[key as TrainOptionKey] as { label: string; flag: string } | undefined;
    const [label, flag] = option ? [option.label, `--${option.flag}`] : [key, ''];
    return [label, typeof value === 'number' && key === 'learningRate' ? value.toExponential(1) : String(value), flag];
  });
  const m = run.metrics;
  const calibration: Array<[string, string, string]> = [
    ['Match threshold tau', m?.tau == null ? '— (queries use the default 0.5)' : `${fmt(m.tau)} (max F1 on ${m.calibratedOn ?? 'val'})`, ''],
    ['F1 at tau', fmt(m?.tauF1), ''],
    ['Threshold for 90 % precision', fmt(m?.tauPrecision90), ''],
    ['Pairs now in val / test', `${pairs.val} / ${pairs.test}`, ''],
  ];
  const rows = (list: Array<[string, string, string]>) =>
    list.map(([k, v, flag]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td><td class="muted"><code>${e(flag)}</code></td></tr>`).join('\n');
  return `<table class="config">
<tbody>${rows(facts)}</tbody>
<tbody class="group"><tr><th colspan="3" scope="rowgroup">Hyperparameters</th></tr>${rows(hyper)}</tbody>
<tbody class="group"><tr><th colspan="3" scope="rowgroup">Calibration (at the end of training)</th></tr>${rows(calibration)}</tbody>
</table>`;
}

type MetricRow = [label: string, get: (c: ScorerColumn) => number | null, higherIsBetter: boolean];

const METRIC_ROWS: MetricRow[] = [
  ['Recall@1', (c) => c.test?.recall['1'] ?? null, true],
  ['Recall@5', (c) => c.test?.recall['5'] ?? null, true],
  ['Recall@10', (c) => c.test?.recall['10'] ?? null, true],
  ['MRR', (c) => c.test?.mrr ?? null, true],
  ['ROC AUC', (c) => c.test?.rocAuc ?? null, true],
  ['tau', (c) => c.tau, false],
  ['F1 at tau', (c) => c.f1AtTau, true],
];

/** The run beside both baselines on the same test pairs; the best value of each row is bold. */
export function renderMetricsTable(columns: ScorerColumn[], testPairs: number): string {
  const head = columns.map((c) => `<th scope="col" data-column="${e(c.key)}">${e(c.label)}</th>`).join('');
  const body = METRIC_ROWS.map(([label, get, compare]) => {
    const values = columns.map(get);
    const measured = values.filter((v): v is number => v !== null);
    // Bold marks a winner: none when every measured column has the same value (or for tau, which is no score).
    const best = compare && new Set(measured).size > 1 ? Math.max(...measured) : NaN;
    const cells = values.map((v) => (v === best ? `<td><strong>${fmt(v)}</strong></td>` : `<td>${fmt(v)}</td>`));
    return `<tr><th scope="row">${e(label)}</th>${cells.join('')}</tr>`;
  }).join('\n');
  const errors = columns.filter((c) => c.error).map((c) => `<li><strong>${e(c.label)}</strong>: ${e(c.error)}</li>`).join('');
  const tauNote = columns
    .map((c) => (c.tauFrom === 'default' ? `${c.label}: no calibrated tau, the default` : c.tauFrom ? `${c.label}: max F1 on ${c.tauFrom}` : null))
    .filter(Boolean);
  return `<table class="metrics">
<thead><tr><th scope="col">on ${testPairs} test pair${testPairs === 1 ? '' : 's'}</th>${head}</tr></thead>
<tbody>${body}</tbody>
</table>
<p class="muted">Each test pair's right image is ranked against the left images of all test pairs; ties count against the
true pair. ROC AUC compares the true pairs with one seeded non-pair per query; F1 weighs them against every
non-pair (each query against the left images of all other test pairs). tau — ${e(tauNote.join('; '))}.</p>
${errors ? `<ul class="errors">${errors}</ul>` : ''}`;
}

function thumb(data: ReportData, imageId: number, alt: string): string {
  const webp = data.thumbnails.get(imageId);
  return webp
    ? `<img src="data:image/webp;base64,${webp.toString('base64')}" alt="${e(alt)}" width="112" height="112">`
    : `<div class="no-thumb" role="img" aria-label="${e(alt)}">no thumbnail</div>`;
}

function renderResult(data: ReportData, r: ReportResult, extra = ''): string {
  return `<li class="result${r.isTrue ? ' true-pair' : ''}${extra}">
      ${thumb(data, r.imageId, `left image of ${r.pairName}`)}
      <div class="caption"><span class="rank">#${r.rank}</span> <span class="score">${fmt(r.score)}</span>
        <span class="badge ${r.match ? 'match' : 'no-match'}">${r.match ? 'match' : 'no match'}</span></div>
      <div class="name" title="${e(r.pairName)}">${e(r.pairName)}</div>${r.isTrue ? '\n      <div class="true-label">true pair</div>' : ''}
    </li>`;
}

function renderExample(data: ReportData, ex: ReportExample): string {
  const outcome = ex.trueRank === 1 ? 'hit' : 'miss';
  const verdict = ex.trueRank === 1 ? 'true pair ranked first' : `true pair ranked ${ex.trueRank}`;
  const shown = ex.results.some((r) => r.isTrue);
  const results = [
    ...ex.results.map((r) => renderResult(data, r)),
    // A miss whose true pair ranks below the list: shown after a gap, so the reader sees what should have won.
    ...(shown ? [] : [`<li class="gap" aria-hidden="true">…</li>`, renderResult(data, ex.truePair, ' below')]),
  ].join('\n');
  return `<article class="example ${outcome}" data-outcome="${outcome}">
  <div class="query">
    ${thumb(data, ex.query.imageId, `right image of ${ex.query.pairName}`)}
    <div class="label">query: right image of</div>
    <div class="name" title="${e(ex.query.pairName)}"><strong>${e(ex.query.pairName)}</strong></div>
    <div class="verdict ${outcome}">${e(verdict)} (score ${fmt(ex.trueScore)})</div>
  </div>
  <ol class="results">${results}</ol>
</article>`;
}

/** Example queries, misses first, each with its top results among the test split's left images. */
export function renderExamples(data: ReportData): string {
  if (!data.examples.length) return '<p class="muted">No example queries (no test pairs, or no model yet).</p>';
  const misses = data.examples.filter((x) => x.trueRank > 1).length;
  return `<p class="muted">${data.examples.length} of ${data.pairs.test} test queries, ${misses} miss${misses === 1 ? '' : 'es'} first.
Badges: score ≥ the run's tau ${fmt(data.tau)}${data.tauFrom === 'default' ? ' (the default: the run has no calibrated tau)' : ''}.
The true pair is outlined.</p>
${data.examples.map((x) => renderExample(data, x)).join('\n')}`;
}

/** The per-epoch numbers behind the charts: readable where scripts do not run (mail clients, print). */
export function renderEpochTable(epochs: EpochRow[]): string {
  if (!epochs.length) return '';
  const rows = epochs
    .map((x) => `<tr><td>${x.epoch}</td><td>${fmt(x.loss, 4)}</td><td>${fmt(x.valLoss, 4)}</td><td>${fmt(x.val?.recall1)}</td><td>${fmt(x.val?.recall5)}</td><td>${fmt(x.val?.mrr)}</td><td>${fmt(x.seconds, 1)}</td></tr>`)
    .join('\n');
  return `<details><summary>Per-epoch numbers</summary>
<table class="epochs"><thead><tr><th>epoch</th><th>loss</th><th>val loss</th><th>val R@1</th><th>val R@5</th><th>val MRR</th><th>seconds</th></tr></thead>
<tbody>${rows}</tbody></table></details>`;
}
